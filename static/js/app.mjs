// Starts GOV.UK Frontend and MOJ Frontend components. Kept in a file (not inline) so the
// Content Security Policy can forbid inline scripts.
import { initAll } from "/static/dist/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
