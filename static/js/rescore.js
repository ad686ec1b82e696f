// The instructor's rescore progress: asks the server every two seconds until done.
(function () {
  const box = document.getElementById("rescore");
  if (!box || box.dataset.finished === "1") return;
  async function poll() {
    const response = await fetch(box.dataset.url, { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    document.getElementById("rescore-bar").max = Math.max(data.total, 1);
    document.getElementById("rescore-bar").value = data.done;
    document.getElementById("rescore-done").textContent = data.done;
    document.getElementById("rescore-total").textContent = data.total;
    document.getElementById("rescore-changed").textContent = data.changed;
    if (!data.finished) setTimeout(poll, 2000);
  }
  setTimeout(poll, 1000);
})();
