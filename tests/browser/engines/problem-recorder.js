// The engine tests' record of a page's problems in WebKit, whose WebDriver has no hook that runs
// before a page's own scripts: engines.recorded_site() puts this file first in index.html's <head>
// (a classic script, so it runs before the page's modules), and engines.WebKit installs it again
// after each load for pages without it. What it records is read by take_problems().
if (!window.__engineProblems) {
  const problems = (window.__engineProblems = []);
  addEventListener("error", (e) => {
    const failed = e.target !== window && e.target?.src;   // a script or image that did not load
    problems.push(failed ? `resource failed: ${e.target.src}` : `uncaught error in page: ${e.message || e.error}`);
  }, true);
  addEventListener("unhandledrejection", (e) => problems.push(`unhandled rejection: ${e.reason?.message ?? e.reason}`));
  const original = console.error.bind(console);
  console.error = (...args) => { problems.push(`console error: ${args.join(" ")}`); original(...args); };
}
