// The single Cognito callback for every app on the domain (https://<domain>/auth/callback).
//
// The app started the sign-in with state = "<nonce>:<prefix>" and stored
// sessionStorage["inventoryAuth.nonce.<nonce>"] = {"prefix": ..., "createdAt": ...}.
// This page consumes that nonce (one use), checks that the prefix in the state is the
// one stored and is a well-formed app path, and only then sends the browser to
// /<prefix>/?code=...&state=... where the app exchanges the code (with its PKCE
// verifier). Everything else is refused with a message and never followed.
'use strict';

(function () {
  var MAX_AGE_MS = 10 * 60 * 1000;
  var NONCE = /^[A-Za-z0-9_-]{16,128}$/;
  var CODE = /^[A-Za-z0-9._~-]{1,2048}$/;
  var auth = InventoryAuth;
  var home = { href: '/', text: 'Go to the home page' };

  function refuse(reason) {
    auth.finish('refused', 'Sign-in refused: ' + reason, home);
  }

  var params = new URLSearchParams(window.location.search);
  var state = params.get('state');
  if (!state) return refuse('the response carries no state.');

  var sep = state.indexOf(':');
  var nonce = sep > 0 ? state.slice(0, sep) : '';
  var prefix = sep > 0 ? state.slice(sep + 1) : '';
  if (!NONCE.test(nonce)) return refuse('the state is malformed.');
  if (!auth.isAppPath(prefix)) return refuse('the state does not name an app on this site.');

  var key = auth.KEY + 'nonce.' + nonce;
  var pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(key));
  } catch (e) {
    pending = null;
  }
  sessionStorage.removeItem(key); // one use, whatever the outcome
  if (!pending || pending.prefix !== prefix) {
    return refuse('this sign-in was not started in this browser tab, or was already used.');
  }
  if (!(Date.now() - pending.createdAt <= MAX_AGE_MS)) {
    return refuse('this sign-in attempt has expired. Please start again.');
  }

  var back = { href: prefix, text: 'Back to the app' };
  if (params.get('error')) {
    return auth.finish('error', 'Sign-in did not complete: ' + params.get('error') +
      (params.get('error_description') ? ' (' + params.get('error_description') + ')' : ''), back);
  }
  var code = params.get('code');
  if (!code || !CODE.test(code)) return refuse('the response carries no valid authorization code.');

  var target = new URL(prefix, window.location.origin);
  target.searchParams.set('code', code);
  target.searchParams.set('state', state);
  // Belt and braces: the target must stay on this origin, at exactly the checked path.
  if (target.origin !== window.location.origin || target.pathname !== prefix) {
    return refuse('the state does not name an app on this site.');
  }
  auth.finish('redirecting', 'Signed in. Returning to the app…');
  window.location.replace(target.pathname + target.search);
})();
