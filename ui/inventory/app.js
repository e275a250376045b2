// Smart Inventory Hub single-page app. No build step: plain ES2020, served as-is from
// https://<domain>/<prefix>/ with every URL relative to that prefix.
//
// Sign-in: Cognito hosted UI, authorization-code flow with PKCE (public client).
//  1. "Sign in" makes a PKCE verifier and a one-time nonce, stores them in
//     sessionStorage (same origin as the shared /auth/ pages), and goes to
//     /oauth2/authorize with state = "<nonce>:<prefix>" and the single platform
//     redirect_uri https://<domain>/auth/callback.
//  2. /auth/callback checks the nonce and that the prefix is a well-formed app path,
//     then sends the browser back to /<prefix>/?code=...&state=....
//  3. This app checks the state against its own pending sign-in and exchanges the code
//     at /oauth2/token with the verifier and the same redirect_uri.
// The API gets the ID token as a Bearer token: its claims (sub, email,
// cognito:username) are what the HTTP API's JWT authorizer hands to the Lambda.
'use strict';

(function () {
  const APP_PATH = /^\/[a-z0-9][a-z0-9-]{0,62}\/$/;
  const RESERVED = ['/auth/'];
  const KEY = 'inventoryAuth.';
  const PENDING_MAX_AGE_MS = 10 * 60 * 1000;
  const CONFIG_KEYS = ['apiUrl', 'region', 'userPoolId', 'clientId', 'cognitoDomain', 'domain', 'prefix',
    'appName', 'environment', 'redirectUri', 'logoutUri'];

  const $ = (sel) => document.querySelector(sel);
  let config = null;
  let prefix = null;
  let items = [];
  let nextToken = null;
  let editing = null; // the item being edited, or null when adding

  // ------------------------------------------------------------------ helpers

  function isAppPath(path) {
    return typeof path === 'string' && APP_PATH.test(path) && RESERVED.indexOf(path) === -1;
  }

  function b64url(bytes) {
    let text = '';
    bytes.forEach((b) => { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function randomToken(size) {
    return b64url(crypto.getRandomValues(new Uint8Array(size)));
  }

  async function sha256(text) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  }

  function jwtClaims(token) {
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(decodeURIComponent(escape(atob(part))));
    } catch (e) {
      return {};
    }
  }

  function cognitoBase() {
    // Cognito gives a bare host (acme-auth.auth.us-east-2.amazoncognito.com); a value
    // with an explicit scheme is used as-is (local stand-ins in tests).
    const domain = config.cognitoDomain.replace(/\/+$/, '');
    return /^https?:\/\//.test(domain) ? domain : 'https://' + domain;
  }

  function apiBase() {
    return config.apiUrl.replace(/\/+$/, '');
  }

  function store(key, value) {
    if (value === null) sessionStorage.removeItem(KEY + key);
    else sessionStorage.setItem(KEY + key, JSON.stringify(value));
  }

  function load(key) {
    try {
      return JSON.parse(sessionStorage.getItem(KEY + key));
    } catch (e) {
      return null;
    }
  }

  function showMessage(text, isError) {
    const el = $('#message');
    el.textContent = text;
    el.classList.toggle('error', !!isError);
    el.hidden = !text;
  }

  function show(view) {
    for (const id of ['loading-view', 'signed-out-view', 'app-view']) {
      $('#' + id).hidden = id !== view;
    }
    $('#session').hidden = view !== 'app-view';
    document.body.dataset.state = view.replace('-view', '');
  }

  // ------------------------------------------------------------------ auth

  function tokens() {
    return load('tokens.' + prefix);
  }

  async function signIn() {
    const verifier = randomToken(48);
    const nonce = randomToken(24);
    const now = Date.now();
    store('nonce.' + nonce, { prefix: prefix, createdAt: now }); // checked by /auth/callback
    store('pkce.' + prefix, { nonce: nonce, verifier: verifier, createdAt: now }); // used here
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: config.clientId,
      redirect_uri: config.redirectUri,
      scope: 'openid email profile',
      state: nonce + ':' + prefix,
      code_challenge: b64url(await sha256(verifier)),
      code_challenge_method: 'S256',
    });
    window.location.assign(cognitoBase() + '/oauth2/authorize?' + params.toString());
  }

  async function tokenRequest(body) {
    const response = await fetch(cognitoBase() + '/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok || !data.id_token) {
      throw new Error(data.error_description || data.error || 'token endpoint answered ' + response.status);
    }
    const previous = tokens() || {};
    const saved = {
      idToken: data.id_token,
      accessToken: data.access_token,
      refreshToken: data.refresh_token || previous.refreshToken || null,
      expiresAt: Date.now() + (Number(data.expires_in) || 3600) * 1000,
    };
    store('tokens.' + prefix, saved);
    return saved;
  }

  async function finishSignIn(params) {
    const pending = load('pkce.' + prefix);
    store('pkce.' + prefix, null); // one attempt per pending sign-in
    // Drop code and state from the address bar whatever happens next.
    window.history.replaceState(null, '', prefix);
    if (params.get('error')) {
      throw new Error('Sign-in was cancelled or failed: ' + params.get('error'));
    }
    if (!pending || params.get('state') !== pending.nonce + ':' + prefix ||
        !(Date.now() - pending.createdAt <= PENDING_MAX_AGE_MS)) { // NaN (no start time): refused
      throw new Error('This sign-in response does not match a sign-in started here. Please sign in again.');
    }
    await tokenRequest({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code: params.get('code'),
      redirect_uri: config.redirectUri,
      code_verifier: pending.verifier,
    });
  }

  async function refreshTokens() {
    const current = tokens();
    if (!current || !current.refreshToken) return null;
    try {
      return await tokenRequest({
        grant_type: 'refresh_token',
        client_id: config.clientId,
        refresh_token: current.refreshToken,
      });
    } catch (e) {
      store('tokens.' + prefix, null);
      return null;
    }
  }

  async function validTokens() {
    const current = tokens();
    if (current && current.expiresAt - Date.now() > 60 * 1000) return current;
    return refreshTokens();
  }

  async function signOut() {
    const current = tokens();
    store('tokens.' + prefix, null);
    if (current && current.refreshToken) {
      // Without this the refresh token stays valid for its whole lifetime (30 days by default).
      try {
        await fetch(cognitoBase() + '/oauth2/revoke', {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: current.refreshToken, client_id: config.clientId }).toString(),
        });
      } catch (e) {
        // Best effort: the sign-out goes on; the token still expires on its own.
      }
    }
    // The shared /auth/logout page sends the browser back here.
    sessionStorage.setItem(KEY + 'returnTo', prefix);
    const params = new URLSearchParams({ client_id: config.clientId, logout_uri: config.logoutUri });
    window.location.assign(cognitoBase() + '/logout?' + params.toString());
  }

  // ------------------------------------------------------------------ API

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || 'request failed with status ' + status);
      this.status = status;
      this.body = body || {};
    }
  }

  async function api(method, path, body, version) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const auth = attempt === 0 ? await validTokens() : await refreshTokens();
      if (!auth) break;
      const headers = { Authorization: 'Bearer ' + auth.idToken };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (version !== undefined) headers['If-Match'] = '"' + version + '"';
      const response = await fetch(apiBase() + path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (response.status === 401) continue; // expired or revoked: refresh once
      const data = response.status === 204 ? null : await response.json().catch(() => null);
      if (!response.ok) throw new ApiError(response.status, data);
      return data;
    }
    store('tokens.' + prefix, null);
    show('signed-out-view');
    throw new ApiError(401, { message: 'Your session has ended. Please sign in again.' });
  }

  // ------------------------------------------------------------------ rendering

  const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 4 });

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function button(text, className, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.className = className;
    b.addEventListener('click', onClick);
    return b;
  }

  function render() {
    const tbody = $('#items tbody');
    tbody.textContent = '';
    const sorted = items.slice().sort((a, b) => a.name.localeCompare(b.name) || a.sku.localeCompare(b.sku));
    for (const item of sorted) {
      const tr = document.createElement('tr');
      tr.dataset.id = item.id;
      tr.dataset.sku = item.sku;
      if (item.lowStock) tr.className = 'low';
      tr.appendChild(cell(item.name, 'name'));
      tr.appendChild(cell(item.sku, 'sku'));
      const qty = cell(String(item.quantity), 'num quantity');
      if (item.lowStock) {
        const badge = document.createElement('span');
        badge.className = 'badge low';
        badge.textContent = 'Low stock';
        qty.appendChild(badge);
      }
      tr.appendChild(qty);
      tr.appendChild(cell(item.location || '', 'location'));
      tr.appendChild(cell(money.format(item.unitPrice || 0), 'num price'));
      tr.appendChild(cell(new Date(item.updatedAt).toLocaleString() + ' · ' + (item.updatedBy || ''), 'updated muted'));
      const actions = document.createElement('td');
      actions.className = 'row-actions';
      actions.appendChild(button('Edit', 'edit secondary', () => openForm(item)));
      actions.appendChild(button('Delete', 'delete danger', (event) => confirmDelete(event.currentTarget, item)));
      tr.appendChild(actions);
      tbody.appendChild(tr);
    }
    $('#empty').hidden = items.length > 0;
    $('#load-more').hidden = !nextToken;
    const low = items.filter((i) => i.lowStock).length;
    $('#summary').textContent = items.length + ' item' + (items.length === 1 ? '' : 's') +
      (low ? ' · ' + low + ' low on stock' : '') + (nextToken ? ' (more available)' : '');
  }

  async function loadItems(append) {
    const params = new URLSearchParams({ limit: '50' });
    if ($('#low-stock-only').checked) params.set('lowStock', 'true');
    if (append && nextToken) params.set('nextToken', nextToken);
    const page = await api('GET', '/items?' + params.toString());
    items = append ? items.concat(page.items) : page.items;
    nextToken = page.nextToken || null;
    render();
  }

  // ------------------------------------------------------------------ form

  const FIELDS = ['name', 'sku', 'quantity', 'location', 'unitPrice', 'reorderLevel'];

  function clearErrors() {
    document.querySelectorAll('.field-error').forEach((el) => { el.textContent = ''; });
    document.querySelectorAll('#item-form input').forEach((el) => el.removeAttribute('aria-invalid'));
  }

  function showFieldErrors(errors) {
    for (const err of errors) {
      const slot = document.querySelector('.field-error[data-for="' + CSS.escape(err.field) + '"]') ||
        document.querySelector('.field-error[data-for="body"]');
      slot.textContent = (slot.textContent ? slot.textContent + ' ' : '') + err.message;
      const input = $('#f-' + CSS.escape(err.field));
      if (input) input.setAttribute('aria-invalid', 'true');
    }
  }

  function openForm(item) {
    editing = item || null;
    clearErrors();
    $('#form-title').textContent = item ? 'Edit ' + item.name : 'Add item';
    for (const field of FIELDS) {
      const value = item ? item[field] : '';
      $('#f-' + field).value = value === undefined || value === null ? '' : String(value);
    }
    $('#item-form').hidden = false;
    $('#f-name').focus();
  }

  function closeForm() {
    editing = null;
    $('#item-form').hidden = true;
    clearErrors();
  }

  function readForm() {
    const data = {};
    const text = (f) => $('#f-' + f).value.trim();
    data.name = text('name');
    data.sku = text('sku');
    data.location = text('location');
    // A number input holds a number or nothing (the browser empties what it cannot read); nothing is null here.
    const num = (f) => (text(f) === '' ? null : Number(text(f)));
    data.quantity = num('quantity');
    const price = num('unitPrice');
    if (price !== null) data.unitPrice = price;
    const reorder = num('reorderLevel');
    if (reorder !== null) data.reorderLevel = reorder;
    else if (editing && editing.reorderLevel !== undefined) data.reorderLevel = null; // cleared
    if (data.quantity === null) delete data.quantity;
    return data;
  }

  async function saveForm(event) {
    event.preventDefault();
    clearErrors();
    const saveButton = $('#save-item');
    saveButton.disabled = true;
    try {
      const data = readForm();
      if (editing) {
        const updated = await api('PUT', '/items/' + encodeURIComponent(editing.id), data, editing.version);
        items = items.map((i) => (i.id === updated.id ? updated : i));
        showMessage('Saved ' + updated.name + '.');
      } else {
        const created = await api('POST', '/items', data);
        items.push(created);
        showMessage('Added ' + created.name + '.');
      }
      closeForm();
      render();
    } catch (err) {
      if (err.status === 400 && err.body.errors) {
        showFieldErrors(err.body.errors);
        showMessage('Please correct the highlighted fields.', true);
      } else if (err.status === 412 && err.body.current) {
        // Someone else saved first: show their version, keep the form open to re-apply.
        const current = err.body.current;
        items = items.map((i) => (i.id === current.id ? current : i));
        render();
        openForm(current);
        showMessage('This item was changed by someone else (now version ' + current.version +
          '). The form shows their changes; apply yours again and save.', true);
      } else if (err.status === 404) {
        closeForm();
        showMessage('This item no longer exists.', true);
        await loadItems(false);
      } else {
        showMessage(err.message, true);
      }
    } finally {
      saveButton.disabled = false;
    }
  }

  async function confirmDelete(btn, item) {
    if (!btn.classList.contains('confirm')) {
      btn.classList.add('confirm');
      btn.textContent = 'Confirm delete';
      setTimeout(() => {
        if (btn.isConnected) {
          btn.classList.remove('confirm');
          btn.textContent = 'Delete';
        }
      }, 5000);
      return;
    }
    btn.disabled = true;
    try {
      await api('DELETE', '/items/' + encodeURIComponent(item.id), undefined, item.version);
      items = items.filter((i) => i.id !== item.id);
      render();
      showMessage('Deleted ' + item.name + '.');
    } catch (err) {
      if (err.status === 412 || err.status === 404) {
        showMessage(err.status === 412
          ? item.name + ' was changed by someone else; review it before deleting.'
          : item.name + ' was already deleted.', true);
        await loadItems(false);
      } else {
        btn.disabled = false;
        showMessage(err.message, true);
      }
    }
  }

  // ------------------------------------------------------------------ no access

  // Signed in, but not in the app's Cognito group: the API answered 403 no_access
  // (lambda_code/app.py). Say so plainly instead of showing an empty, broken list.
  function showNoAccess(body) {
    const app = (body && body.app) || config.appName;
    const group = body && body.groups && body.groups[0];
    $('#app-view').hidden = true;
    showMessage('');
    let view = $('#no-access-view');
    if (!view) {
      view = document.createElement('section');
      view.id = 'no-access-view';
      view.className = 'panel center';
      const title = document.createElement('h2');
      title.textContent = 'No access to this app';
      const text = document.createElement('p');
      text.className = 'reason';
      const hint = document.createElement('p');
      hint.className = 'muted hint';
      view.append(title, text, hint);
      $('main').appendChild(view);
    }
    view.querySelector('.reason').textContent = 'You are signed in as ' + ($('#user-email').textContent || 'this user') +
      ', but you have no access to ' + app + '.';
    view.querySelector('.hint').textContent = group
      ? 'Ask an administrator to add you to the group ' + group + ', then sign out and in again.'
      : 'Ask an administrator for access, then sign out and in again.';
    view.hidden = false;
    document.body.dataset.state = 'no-access';
  }

  // ------------------------------------------------------------------ start

  async function loadConfig() {
    const response = await fetch('config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error('config.json answered ' + response.status);
    const data = await response.json();
    const missing = CONFIG_KEYS.filter((k) => typeof data[k] !== 'string' || !data[k]);
    if (missing.length) throw new Error('config.json is missing ' + missing.join(', '));
    return data;
  }

  function wire() {
    $('#sign-in').addEventListener('click', () => signIn().catch((e) => showMessage(e.message, true)));
    $('#sign-out').addEventListener('click', signOut);
    $('#add-item').addEventListener('click', () => openForm(null));
    $('#cancel-edit').addEventListener('click', closeForm);
    $('#item-form').addEventListener('submit', saveForm);
    $('#refresh').addEventListener('click', () => loadItems(false).catch((e) => showMessage(e.message, true)));
    $('#low-stock-only').addEventListener('change', () => loadItems(false).catch((e) => showMessage(e.message, true)));
    $('#load-more').addEventListener('click', () => loadItems(true).catch((e) => showMessage(e.message, true)));
  }

  async function start() {
    wire();
    try {
      config = await loadConfig();
    } catch (err) {
      show('loading-view');
      showMessage('This app is not configured: ' + err.message, true);
      return;
    }
    prefix = isAppPath(config.prefix) ? config.prefix : null;
    if (!prefix || window.location.pathname.indexOf(prefix) !== 0) {
      show('loading-view');
      showMessage('This app is served from an unexpected path.', true);
      return;
    }
    document.title = config.appName + ' · Smart Inventory Hub';
    const env = $('#env-badge');
    env.textContent = config.appName + ' · ' + config.environment;
    env.hidden = false;

    const params = new URLSearchParams(window.location.search);
    if (params.has('code') || params.has('error')) {
      try {
        await finishSignIn(params);
      } catch (err) {
        show('signed-out-view');
        showMessage(err.message, true);
        return;
      }
    } else if (params.has('signedOut')) {
      window.history.replaceState(null, '', prefix);
      showMessage('You have signed out.');
    }

    const auth = await validTokens();
    if (!auth) {
      show('signed-out-view');
      return;
    }
    const claims = jwtClaims(auth.idToken);
    $('#user-email').textContent = claims.email || claims['cognito:username'] || '';
    show('app-view');
    try {
      await loadItems(false);
    } catch (err) {
      if (err.status === 403 && err.body.error === 'no_access') showNoAccess(err.body);
      else showMessage(err.message, true);
    }
  }

  start();
})();
