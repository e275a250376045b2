// The single Cognito sign-out URL (https://<domain>/auth/logout). The app stored its
// prefix in sessionStorage["inventoryAuth.returnTo"] before leaving; if that is a
// well-formed app path the browser goes back there, otherwise this page only says
// that the user is signed out.
'use strict';

(function () {
  var auth = InventoryAuth;
  var key = auth.KEY + 'returnTo';
  var prefix = sessionStorage.getItem(key);
  sessionStorage.removeItem(key);
  if (auth.isAppPath(prefix)) {
    auth.finish('redirecting', 'You are signed out. Returning to the app…');
    window.location.replace(prefix + '?signedOut=1');
    return;
  }
  auth.finish('signed-out', 'You are signed out.', { href: '/', text: 'Go to the home page' });
})();
