// station-noc sign-in: posts JSON (never a form post), then goes to the dashboard.
"use strict";

const form = document.getElementById("login");
const error = document.getElementById("login-error");
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
    if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
    location.replace("/");
  } catch (err) {
    error.textContent = err.message;
  }
});
