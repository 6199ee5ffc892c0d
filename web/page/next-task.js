// A promise that resolves in a later task (setTimeout 0), not in this one's microtasks: work split
// by awaiting it lets the page paint and answer input in between, so no single main-thread task
// runs long (issue 4: none over 50 ms while training).
export const nextTask = () => new Promise((resolve) => setTimeout(resolve));
