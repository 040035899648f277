// Loaded in <head>, before the page is drawn: CSS can tell that script runs (the phone menu
// starts closed without a flash). A file rather than an inline script, which the
// Content-Security-Policy forbids.
document.documentElement.classList.add("js");
