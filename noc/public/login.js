// @ts-check
// station-noc sign-in: posts JSON (never a form post), then goes to the dashboard. The language switch
// here is the dashboard's (one choice per browser, i18n.js).
"use strict";

const form = /** @type {HTMLFormElement} */ (document.getElementById("login"));
const error = document.getElementById("login-error");
// The server's refusals are English sentences; the two a person meets here are said in the page's language.
const LOGIN_ERRORS = { 401: "login.wrong", 429: "login.tooMany" };
i18nStart(() => (error.textContent = ""));
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  error.textContent = "";
  const data = new FormData(form);
  try {
    const r = await fetch("/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: data.get("user"), password: data.get("password") }),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      const known = LOGIN_ERRORS[r.status];
      throw new Error(known ? t(known) : `${t("error.failed")} ${body.error || `HTTP ${r.status}`}`);
    }
    location.replace("/");
  } catch (err) {
    error.textContent = err.message;
  }
});
