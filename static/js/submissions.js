// Refreshes the page's unfinished submissions without a reload: asks the API
// every two seconds and reloads once one of them has finished.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(
    document.querySelectorAll("tr[data-status='queued'], tr[data-status='running']"));
  if (!rows.length) { return; }
  function poll() {
    Promise.all(rows.map(function (row) {
      return fetch("/api/v1/submissions/" + row.dataset.submission + "/", {
        credentials: "same-origin", headers: {"Accept": "application/json"}
      }).then(function (r) { return r.ok ? r.json() : null; });
    })).then(function (items) {
      var changed = items.some(function (item, i) {
        return item && item.status !== rows[i].dataset.status;
      });
      if (changed) { window.location.reload(); } else { window.setTimeout(poll, 2000); }
    }).catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1500);
})();
