// Cruddur frontend stub: no build step. Signs in against Cognito's JSON API (works with a real pool and
// with the local emulator), keeps the access token in sessionStorage, and calls the backend with it.
"use strict";

const $ = (id) => document.getElementById(id);
let config;
let tokens = JSON.parse(sessionStorage.getItem("cruddur.tokens") || "null");
let feed = "home";

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

async function cognito(action, body) {
  const response = await fetch(config.cognitoEndpoint.replace(/\/$/, "") + "/", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "AWSCognitoIdentityProviderService." + action,
    },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${action}: ${data.message || data.__type || response.status}`);
  return data;
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (tokens) headers.Authorization = "Bearer " + tokens.AccessToken;
  if (options.body) headers["Content-Type"] = "application/json";
  const response = await fetch(config.apiBase.replace(/\/$/, "") + path, { ...options, headers });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = data && (Array.isArray(data) ? data.join(", ") : data.error && data.error.message);
    throw new Error(`${response.status}: ${detail || response.statusText}`);
  }
  return data;
}

function renderActivity(activity) {
  const item = document.createElement("li");
  item.className = "crud";
  item.dataset.uuid = activity.uuid;
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = `${activity.display_name} @${activity.handle} · ${new Date(activity.created_at).toLocaleString()}`
    + ` · ${activity.replies_count} replies · expires ${new Date(activity.expires_at).toLocaleString()}`;
  const message = document.createElement("p");
  message.className = "message";
  message.textContent = activity.message;
  item.append(meta, message);
  if (tokens && !activity.reply_to_activity_uuid) {
    const form = document.createElement("form");
    const input = document.createElement("input");
    input.placeholder = "Reply";
    input.required = true;
    const button = document.createElement("button");
    button.textContent = "Reply";
    form.append(input, button);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api(`/api/activities/${activity.uuid}/reply`, { method: "POST", body: JSON.stringify({ message: input.value }) });
        await load();
      } catch (error) { showError(error.message); }
    });
    item.append(form);
  }
  if (activity.replies && activity.replies.length) {
    const replies = document.createElement("ol");
    activity.replies.forEach((reply) => replies.append(renderActivity(reply)));
    item.append(replies);
  }
  return item;
}

// The claims of the access token (for its `sub`), read without verifying: the backend verifies.
function claims() {
  if (!tokens) return {};
  const part = tokens.AccessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(part));
}

let conversation = null;

function item(className, title, text) {
  const entry = document.createElement("li");
  entry.className = className;
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = title;
  const message = document.createElement("p");
  message.className = "message";
  message.textContent = text;
  entry.append(meta, message);
  return entry;
}

async function loadMessages() {
  const groups = await api("/api/message_groups");
  $("groups").replaceChildren(...groups.map((group) => {
    const entry = item("group", `${group.display_name} @${group.handle}`, group.message);
    entry.dataset.uuid = group.uuid;
    entry.addEventListener("click", () => { conversation = group; loadMessages().catch((e) => showError(e.message)); });
    return entry;
  }));
  $("conversation-title").hidden = !conversation;
  if (!conversation) { $("conversation").replaceChildren(); return; }
  $("conversation-title").textContent = `With ${conversation.display_name} @${conversation.handle}`;
  const messages = await api(`/api/messages/${conversation.uuid}`);
  $("conversation").replaceChildren(...messages.map((m) => item("dm", `${m.display_name} @${m.handle}`, m.message)));
}

async function loadProfile(handle) {
  const page = await api(`/api/activities/@${handle.replace(/^@/, "")}`);
  const profile = page.profile;
  $("profile-handle").value = "@" + profile.handle;
  $("profile-name").textContent = profile.display_name;
  $("profile-bio").textContent = profile.bio || "";
  $("profile-meta").textContent = `@${profile.handle} · ${profile.cruds_count} cruds`;
  const mine = Boolean(tokens) && profile.cognito_user_uuid === claims().sub;
  $("profile-form").hidden = !mine;
  if (mine) {
    $("profile-display-name").value = profile.display_name;
    $("profile-bio-input").value = profile.bio || "";
  }
  $("feed").replaceChildren(...page.activities.map(renderActivity));
}

async function load() {
  showError("");
  const titles = { home: "Home", notifications: "Notifications", messages: "Messages", profile: "Profile" };
  $("feed-title").textContent = titles[feed];
  $("messages").hidden = feed !== "messages";
  $("profile").hidden = feed !== "profile";
  try {
    if (feed === "messages") {
      $("feed").replaceChildren();
      await loadMessages();
    } else if (feed === "profile") {
      $("feed").replaceChildren();
      if ($("profile-handle").value) await loadProfile($("profile-handle").value);
    } else {
      const path = feed === "home" ? "/api/activities/home" : "/api/activities/notifications";
      const items = await api(path);
      $("feed").replaceChildren(...items.map(renderActivity));
    }
  } catch (error) {
    $("feed").replaceChildren();
    showError(error.message);
  }
}

function renderSession() {
  const signedIn = Boolean(tokens);
  $("auth").hidden = signedIn;
  $("compose").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  $("who").textContent = signedIn ? `signed in as ${tokens.email}` : "signed out";
}

function bind() {
  $("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("");
    try {
      const email = $("sign-in-email").value;
      const result = await cognito("InitiateAuth", {
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: config.clientId,
        AuthParameters: { USERNAME: email, PASSWORD: $("sign-in-password").value },
      });
      tokens = { ...result.AuthenticationResult, email };
      sessionStorage.setItem("cruddur.tokens", JSON.stringify(tokens));
      renderSession();
      await load();
    } catch (error) { showError(error.message); }
  });
  $("sign-up-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await cognito("SignUp", {
        ClientId: config.clientId,
        Username: $("sign-up-email").value,
        Password: $("sign-up-password").value,
        UserAttributes: [
          { Name: "email", Value: $("sign-up-email").value },
          { Name: "name", Value: $("sign-up-name").value },
          { Name: "preferred_username", Value: $("sign-up-handle").value },
        ],
      });
      $("confirm-email").value = $("sign-up-email").value;
      showError("Signed up: enter the confirmation code sent by email.");
    } catch (error) { showError(error.message); }
  });
  $("confirm-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await cognito("ConfirmSignUp", {
        ClientId: config.clientId, Username: $("confirm-email").value, ConfirmationCode: $("confirm-code").value,
      });
      $("sign-in-email").value = $("confirm-email").value;
      showError("Confirmed: sign in.");
    } catch (error) { showError(error.message); }
  });
  $("crud-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("/api/activities", {
        method: "POST",
        body: JSON.stringify({ message: $("crud-message").value, ttl: $("crud-ttl").value }),
      });
      $("crud-message").value = "";
      feed = "home";
      await load();
    } catch (error) { showError(error.message); }
  });
  $("sign-out").addEventListener("click", async () => {
    tokens = null;
    sessionStorage.removeItem("cruddur.tokens");
    renderSession();
    await load();
  });
  $("message-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const handle = $("message-handle").value.trim();
      const target = handle ? { handle } : { message_group_uuid: conversation && conversation.uuid };
      const written = await api("/api/messages", {
        method: "POST",
        headers: { "Idempotency-Key": crypto.randomUUID() },
        body: JSON.stringify({ message: $("message-text").value, ...target }),
      });
      $("message-text").value = "";
      $("message-handle").value = "";
      conversation = { uuid: written.message_group_uuid, handle: handle.replace(/^@/, "") || conversation.handle,
        display_name: conversation ? conversation.display_name : handle };
      await loadMessages();
    } catch (error) { showError(error.message); }
  });
  $("profile-lookup").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("");
    try { await loadProfile($("profile-handle").value); } catch (error) { showError(error.message); }
  });
  $("profile-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const profile = await api("/api/profile/update", {
        method: "PUT",
        body: JSON.stringify({ display_name: $("profile-display-name").value, bio: $("profile-bio-input").value }),
      });
      await loadProfile(profile.handle);
    } catch (error) { showError(error.message); }
  });
  $("show-messages").addEventListener("click", () => { feed = "messages"; conversation = null; load(); });
  $("show-profile").addEventListener("click", () => { feed = "profile"; load(); });
  $("show-home").addEventListener("click", () => { feed = "home"; load(); });
  $("show-notifications").addEventListener("click", () => { feed = "notifications"; load(); });
}

(async function main() {
  config = await (await fetch("config.json", { cache: "no-store" })).json();
  bind();
  renderSession();
  await load();
})();
