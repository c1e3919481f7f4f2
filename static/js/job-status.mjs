// Keeps a report job's status up to date on its page without a reload: asks the page's
// JSON endpoint every couple of seconds until the job is done or has failed, and writes
// the answer into the status region (role="status", aria-live="polite"), so that a screen
// reader hears "Done: ..." once, when it happens. With the download ready, its link is
// shown. Kept in a file (not inline) because the Content Security Policy forbids inline
// scripts; without JavaScript the page offers a "Check again" link instead.

const region = document.querySelector("[data-job-status-url]");

if (region && region.dataset.jobFinished !== "true") {
  const url = region.dataset.jobStatusUrl;
  const every = Number(region.dataset.pollMs) || 2000;
  const message = region.querySelector("[data-job-status-message]");
  const tag = region.querySelector("[data-job-status-tag]");
  const download = region.querySelector("[data-job-download]");
  const link = region.querySelector("[data-job-download-link]");
  const TAG_COLOURS = { queued: "grey", running: "blue", done: "green", failed: "red" };
  // After this many failed checks in a row (signed out, network gone) stop and say so.
  const MAX_FAILURES = 5;
  let failures = 0;
  let shown = region.dataset.jobStatus;

  const show = (data) => {
    if (data.message && message.textContent !== data.message) {
      message.textContent = data.message;
    }
    if (tag && data.status !== shown) {
      tag.textContent = data.status_label;
      tag.className = `govuk-tag govuk-tag--${TAG_COLOURS[data.status] || "grey"}`;
    }
    shown = data.status;
    region.dataset.jobStatus = data.status;
    if (data.download_url && download && link) {
      link.href = data.download_url;
      link.textContent = data.download_label || "Download the paper";
      download.hidden = false;
    }
    if (data.finished) {
      region.dataset.jobFinished = "true";
      document.title = document.title.replace(/: [^–]+ –/, `: ${data.status_label} –`);
    }
  };

  const check = async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.includes("application/json")) {
        throw new Error(`status check answered ${response.status}`);
      }
      failures = 0;
      const data = await response.json();
      show(data);
      if (!data.finished) {
        window.setTimeout(check, every);
      }
    } catch {
      failures += 1;
      if (failures >= MAX_FAILURES) {
        message.textContent =
          "The status could not be checked. Reload the page to see whether the paper is ready.";
        return;
      }
      window.setTimeout(check, every * 2);
    }
  };

  window.setTimeout(check, every);
}
