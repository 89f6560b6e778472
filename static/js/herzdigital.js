// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = button.getAttribute("data-copy");
  navigator.clipboard.writeText(text).then(() => {
    const done = button.getAttribute("data-copied") || "✓";
    const original = button.textContent;
    button.textContent = done;
    setTimeout(() => { button.textContent = original; }, 2000);
  });
});

// Print buttons (no inline handlers: the Content-Security-Policy forbids them).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
