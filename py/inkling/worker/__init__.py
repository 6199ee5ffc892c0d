"""What the web worker calls (web/worker/): plain values in, plain values and numpy arrays out.

`app` reads the pad, `read_requests` computes the "Why" and pictures, `studio` trains in the page,
`library` exports, imports and registers models, `tuning` fine-tunes on the user's digits;
`lab_session` is what the Lab's own worker (web/lab-worker/) calls.
May import every other part of inkling; nothing else imports it.
"""
