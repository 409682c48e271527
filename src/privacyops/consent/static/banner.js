/* privacyops consent banner: no dependencies. The server prepends `window.PrivacyopsConsentConfig = {...}`
   built from the manifest's cookies. Scripts of a non-essential category are written as
   <script type="text/plain" data-category="analytics"> and run only once that category is allowed.
   Global Privacy Control (navigator.globalPrivacyControl === true) keeps sale/share categories off. */
(function () {
  "use strict";
  var C = window.PrivacyopsConsentConfig;
  if (!C || window.privacyopsConsent) return;
  var D = document, DAY = 864e5, root = null;
  var gpc = C.gpcHonoured && navigator.globalPrivacyControl === true;
  // A signed-in user's page may name the account (a host token), so an opt-out reaches it too (OS-2).
  var hostToken = (D.currentScript && D.currentScript.getAttribute("data-host-token")) || null;

  function category(id) {
    for (var i = 0; i < C.categories.length; i++) if (C.categories[i].id === id) return C.categories[i];
    return null;
  }
  function read() {
    var m = D.cookie.match(new RegExp("(?:^|; )" + C.cookieName + "=([^;]*)"));
    if (!m) return null;
    try { return JSON.parse(decodeURIComponent(m[1])); } catch (e) { return null; }
  }
  function write(state) {
    D.cookie = C.cookieName + "=" + encodeURIComponent(JSON.stringify(state)) + "; Max-Age=" +
      C.repromptDays * 86400 + "; Path=/; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }
  function visitorId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)), s = "";
    for (var i = 0; i < b.length; i++) s += (b[i] + 256).toString(16).slice(1);
    return s;
  }
  function allowed(id, state) {
    if (id === "necessary") return true;
    var c = category(id);
    if (!c || (gpc && c.saleShare)) return false;
    return !!(state && state.choices && state.choices[id]);
  }
  function activate(state) {
    var blocked = D.querySelectorAll('script[type="text/plain"][data-category]');
    Array.prototype.forEach.call(blocked, function (old) {
      if (!allowed(old.getAttribute("data-category"), state)) return;
      var s = D.createElement("script");
      Array.prototype.forEach.call(old.attributes, function (a) {
        if (a.name !== "type") s.setAttribute(a.name, a.value);
      });
      s.text = old.text;
      old.parentNode.replaceChild(s, old);
    });
  }
  function post(state, choices) {
    return fetch(C.endpoint, {
      method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ visitor: state.visitor, notice_version: C.noticeVersion, choices: choices, gpc: gpc,
                             host_token: hostToken })
    }).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
  }
  function rejectedSomething(state) {
    return !!state.choices && Object.keys(state.choices).some(function (k) { return !state.choices[k]; });
  }
  function needsPrompt(state) {
    if (!state || !state.choices) return true;
    // An opt-out is not asked about again for twelve months (CCPA 1798.135(c)(4)), new notice or not.
    if ((rejectedSomething(state) || state.gpc) && Date.now() - state.at < C.repromptDays * DAY) return false;
    return state.v !== C.noticeVersion;
  }
  function save(choices) {
    var prev = read() || {};
    var state = { visitor: prev.visitor || visitorId(), v: C.noticeVersion, at: Date.now(), choices: choices,
                  gpc: gpc || !!prev.gpc };
    write(state);
    close();
    activate(state);
    showReopen();
    return post(state, choices);
  }
  function all(value) {
    var out = {};
    C.categories.forEach(function (c) { out[c.id] = value && !(gpc && c.saleShare); });
    return out;
  }
  function el(tag, attrs, text) {
    var e = D.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }
  function statusText() {
    return gpc ? C.texts.gpcStatus : "";
  }
  function showStatus() {
    var target = D.getElementById("privacyops-signal-status");
    if (target && gpc) target.textContent = statusText();
  }
  function close() {
    if (root) root.parentNode.removeChild(root);
    root = null;
  }
  function open() {
    close();
    var state = read();
    root = el("div", { id: "privacyops-banner", role: "dialog", "aria-label": C.texts.title });
    root.appendChild(el("style", {}, C.css));
    root.appendChild(el("p", { "class": "po-title" }, C.texts.title));
    root.appendChild(el("p", {}, C.texts.intro));
    if (gpc) root.appendChild(el("p", { "class": "po-status", "data-role": "gpc-status" }, statusText()));
    var list = el("div", { "class": "po-choices", hidden: "" });
    C.categories.forEach(function (c) {
      var label = el("label", {});
      var box = el("input", { type: "checkbox", name: c.id });
      box.checked = allowed(c.id, state);
      if (gpc && c.saleShare) box.disabled = true;
      label.appendChild(box);
      label.appendChild(D.createTextNode(" " + c.title + ": " + c.text));
      list.appendChild(label);
    });
    var save1 = el("button", { type: "button", "data-action": "save" }, C.texts.save);
    list.appendChild(save1);
    var buttons = el("div", { "class": "po-buttons" });
    var accept = el("button", { type: "button", "data-action": "accept" }, C.texts.accept);
    var reject = el("button", { type: "button", "data-action": "reject" }, C.texts.reject);
    var choose = el("button", { type: "button", "data-action": "choose" }, C.texts.choose);
    buttons.appendChild(reject);
    buttons.appendChild(accept);
    buttons.appendChild(choose);
    root.appendChild(buttons);
    root.appendChild(list);
    root.appendChild(el("a", { href: C.privacyUrl }, C.texts.privacyLink));
    accept.onclick = function () { save(all(true)); };
    reject.onclick = function () { save(all(false)); };
    choose.onclick = function () { list.hidden = false; };
    save1.onclick = function () {
      var out = {};
      Array.prototype.forEach.call(list.querySelectorAll("input"), function (b) { out[b.name] = b.checked; });
      save(Object.assign(all(false), out, gpc ? saleShareOff() : {}));
    };
    D.body.appendChild(root);
  }
  function saleShareOff() {
    var out = {};
    C.categories.forEach(function (c) { if (c.saleShare) out[c.id] = false; });
    return out;
  }
  function showReopen() {
    if (D.getElementById("privacyops-reopen")) return;
    var b = el("button", { id: "privacyops-reopen", type: "button" }, C.texts.reopen);
    b.onclick = open;
    D.body.appendChild(b);
  }
  function start() {
    var state = read();
    if (gpc && !(state && state.gpc)) {
      // Record the signal once (no choices yet): the server keeps it as a sale/share opt-out.
      state = state || { visitor: visitorId(), v: C.noticeVersion, at: Date.now(), choices: null };
      state.gpc = true;
      write(state);
      post(state, {});
    }
    activate(state);
    showStatus();
    if (needsPrompt(state)) open(); else showReopen();
    Array.prototype.forEach.call(D.querySelectorAll("[data-privacyops-consent=open]"), function (a) {
      a.addEventListener("click", function (e) { e.preventDefault(); open(); });
    });
  }
  window.privacyopsConsent = { open: open, state: read, gpc: gpc };
  if (D.readyState === "loading") D.addEventListener("DOMContentLoaded", start); else start();
})();
