// Shared by the platform's /auth/ pages (callback and logout). Served from the
// shared UI bucket root, so every path here is absolute.
'use strict';

var InventoryAuth = (function () {
  // An app prefix is one path segment of lowercase letters, digits and hyphens, with
  // both slashes: "/john-inventory-dev/". Nothing else is ever navigated to, so a full
  // URL, "//host", "/\host", "%2F" escapes or dot segments cannot form an open redirect.
  var APP_PATH = /^\/[a-z0-9][a-z0-9-]{0,62}\/$/;
  var RESERVED = ['/auth/'];
  var KEY = 'inventoryAuth.';

  function isAppPath(path) {
    return typeof path === 'string' && APP_PATH.test(path) && RESERVED.indexOf(path) === -1;
  }

  function finish(status, text, link) {
    var message = document.getElementById('message');
    message.textContent = text;
    // A failure reads as one; being signed out or on the way back to the app is no error.
    message.className = status === 'refused' || status === 'error' ? 'error' : '';
    if (link) {
      var p = document.createElement('p');
      var a = document.createElement('a');
      a.href = link.href;
      a.textContent = link.text;
      a.id = 'next-link';
      p.appendChild(a);
      message.parentNode.appendChild(p);
    }
    document.body.setAttribute('data-status', status);
  }

  return { isAppPath: isAppPath, finish: finish, KEY: KEY };
})();
