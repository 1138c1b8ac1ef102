// Flowloom's account pages until the web app (issue 10) takes these routes over: first-owner setup,
// sign-in, invitations, password resets, and who is signed in. Plain DOM, no dependencies, no inline code.
"use strict";

const $ = (selector) => document.querySelector(selector);
const params = new URLSearchParams(location.search);
const token = params.get("token") || "";

const MESSAGES = {
  NOT_INVITED: "There is no account for this email; ask an admin for an invitation.",
  EMAIL_NOT_VERIFIED: "Your provider did not confirm your email address, so no account could be matched.",
  state_mismatch: "That sign-in link was used already or opened in another browser. Start again.",
  domain_not_allowed: "Your email's domain may not sign in here.",
  unknown_provider: "That sign-in provider is not configured.",
};

function show(text, isError = true) {
  const box = $("#message");
  box.textContent = text;
  box.className = isError ? "error" : "note";
  box.hidden = !text;
}

async function api(path, body, extraHeaders = {}) {
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? extraHeaders : { "Content-Type": "application/json", ...extraHeaders },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  let data = {};
  try { data = await response.json(); } catch { data = {}; }
  return { ok: response.ok, status: response.status, data };
}

function form(title, fields, submitLabel, onSubmit) {
  $("#title").textContent = title;
  const element = document.createElement("form");
  for (const [name, label, type] of fields) {
    const input = document.createElement("input");
    input.name = name;
    input.type = type;
    input.required = name !== "displayName";
    input.autocomplete = type === "password" ? "new-password" : name === "email" ? "email" : "name";
    const wrapper = document.createElement("label");
    wrapper.append(label, input);
    element.append(wrapper);
  }
  const button = document.createElement("button");
  button.type = "submit";
  button.textContent = submitLabel;
  element.append(button);
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    try { await onSubmit(Object.fromEntries(new FormData(element))); } finally { button.disabled = false; }
  });
  $("#content").replaceChildren(element);
  return element;
}

function failed(result) {
  const error = result.data.error || {};
  show(error.message || `The server answered ${result.status}.`);
}

async function account() {
  const session = await api("/auth/session");
  if (!session.ok) { location.assign("/signin"); return; }
  $("#title").textContent = `Signed in as ${session.data.user.email}`;
  const list = document.createElement("ul");
  list.setAttribute("aria-label", "Your workspaces");
  for (const workspace of session.data.workspaces) {
    const item = document.createElement("li");
    item.textContent = `${workspace.name} (${workspace.slug}): ${workspace.role}`;
    list.append(item);
  }
  const signOut = document.createElement("button");
  signOut.textContent = "Sign out";
  signOut.addEventListener("click", async () => {
    await api("/auth/logout", {}, { "X-CSRF-Token": session.data.csrfToken });
    location.assign("/signin");
  });
  const graphiql = document.createElement("p");
  graphiql.textContent = "Programs use the GraphQL API at /graphql with a token (flowloom token create).";
  $("#content").replaceChildren(list, graphiql, signOut);
}

async function signIn() {
  const error = params.get("error");
  if (error) show(MESSAGES[error] || `Sign-in failed (${error}).`);
  form("Sign in", [["email", "Email", "email"], ["password", "Password", "password"]], "Sign in", async (values) => {
    const result = await api("/auth/login", values);
    if (result.ok) location.assign(params.get("next") || "/account"); else failed(result);
  });
  const providers = await api("/auth/providers");
  for (const provider of providers.data.providers || []) {
    const link = document.createElement("a");
    link.href = `${provider.loginUrl}?next=${encodeURIComponent(params.get("next") || "/account")}`;
    link.textContent = `Sign in with ${provider.name}`;
    link.className = "provider";
    $("#content").append(link);
  }
}

function setup() {
  form("Create the first owner", [["email", "Email", "email"], ["displayName", "Your name", "text"],
    ["password", "Password (at least 10 characters)", "password"]], "Create owner", async (values) => {
    const result = await api("/auth/setup", { token, ...values });
    if (result.ok) location.assign("/account"); else failed(result);
  });
}

async function invite() {
  const link = await api(`/auth/links/invite?token=${encodeURIComponent(token)}`);
  if (!link.ok) { show("This invitation was used already, has expired or is wrong."); return; }
  const session = await api("/auth/session");
  const what = `You are invited to ${link.data.workspace.name} as ${link.data.role} (${link.data.email}).`;
  if (session.ok) {
    $("#title").textContent = "Invitation";
    const accept = document.createElement("button");
    accept.textContent = "Accept invitation";
    accept.addEventListener("click", async () => {
      const result = await fetch("/graphql", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": session.data.csrfToken },
        body: JSON.stringify({ query: "mutation($token: String!) { acceptInvite(token: $token) { __typename ... on Refused { message } } }", variables: { token } }),
      }).then((r) => r.json());
      const answer = result.data && result.data.acceptInvite;
      if (answer && answer.__typename !== "Refused") location.assign("/account");
      else show((answer && answer.message) || "The invitation could not be accepted.");
    });
    const text = document.createElement("p");
    text.textContent = what;
    $("#content").replaceChildren(text, accept);
    return;
  }
  form("Join with a password", [["displayName", "Your name", "text"], ["password", "Password (at least 10 characters)", "password"]],
    "Join", async (values) => {
      const result = await api("/auth/invite/accept", { token, ...values });
      if (result.ok) location.assign("/account"); else failed(result);
    });
  show(`${what} Already have an account? Sign in first, then open this link again.`, false);
  const signInLink = document.createElement("a");
  signInLink.href = `/signin?next=${encodeURIComponent(location.pathname + location.search)}`;
  signInLink.textContent = "Sign in to accept";
  $("#content").append(signInLink);
}

function reset() {
  form("Choose a new password", [["password", "New password (at least 10 characters)", "password"]], "Set password",
    async (values) => {
      const result = await api("/auth/password/reset", { token, ...values });
      if (result.ok) location.assign("/account"); else failed(result);
    });
}

const PAGES = { "/setup": setup, "/signin": signIn, "/invite": invite, "/reset-password": reset, "/account": account };
(PAGES[location.pathname] || signIn)();
