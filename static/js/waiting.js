// The waiting page polls the room's status (database only) and joins by itself once the meeting runs.
(() => {
  const form = document.getElementById("join-form");
  const statusText = document.getElementById("room-status");
  const poll = async () => {
    try {
      const response = await fetch(form.dataset.statusUrl, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.ok && (await response.json()).joinable) {
        statusText.textContent = form.dataset.joining;
        form.submit();
        return;
      }
    } catch (error) { /* offline for a moment: try again */ }
    setTimeout(poll, 5000);
  };
  setTimeout(poll, 3000);
})();
