// Viewer-request CloudFront Function shared by every app on the domain
// (runtime cloudfront-js-2.0: no modules, no require, no Node APIs).
//
// Each app lives under one path prefix, a base name of lowercase letters, digits and
// hyphens (/john-inventory-dev/). The top-level path "auth/" is reserved for the shared
// Cognito pages (auth/callback/, auth/logout/).
//
//   /<app>                 -> 301 to /<app>/ (so the SPA's relative URLs resolve), query kept
//   /<app>/                -> /<app>/index.html
//   /<app>/items/42        -> /<app>/index.html (extension-less deep link: SPA routing)
//   /<app>/app.js          -> unchanged (anything whose last segment has an extension)
//   /auth/callback[/]      -> /auth/callback/index.html (same for any /auth/<page>[/])
//   /                      -> /index.html
//   anything else          -> unchanged (S3 answers 403/404)
//
// A rewrite keeps the query string as the viewer sent it (CloudFront forwards
// request.querystring untouched); a redirect rebuilds it into the Location header.

var APP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62})$/;
var RESERVED = { auth: true };
var AUTH_PAGE = /^\/auth\/([a-z0-9-]+)\/?$/;

// The values in request.querystring are as the viewer sent them (still percent-encoded),
// so they are not encoded again; only characters that are never valid in a URL are.
function escapeUnsafe(text) {
    return String(text).replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@\/?%]/g, function (ch) {
        return encodeURIComponent(ch);
    });
}

function queryString(querystring) {
    if (!querystring) {
        return '';
    }
    if (typeof querystring === 'string') {
        return querystring;
    }
    var parts = [];
    Object.keys(querystring).forEach(function (key) {
        var entry = querystring[key];
        var values = entry && entry.multiValue ? entry.multiValue : [entry];
        values.forEach(function (item) {
            var value = item && item.value !== undefined ? item.value : '';
            parts.push(value === '' ? escapeUnsafe(key) : escapeUnsafe(key) + '=' + escapeUnsafe(value));
        });
    });
    return parts.join('&');
}

function redirect(location, querystring) {
    var qs = queryString(querystring);
    return {
        statusCode: 301,
        statusDescription: 'Moved Permanently',
        headers: {
            location: { value: qs ? location + '?' + qs : location },
            'cache-control': { value: 'max-age=3600' }
        }
    };
}

function handler(event) {
    var request = event.request;
    var uri = request.uri || '/';

    if (uri === '/') {
        request.uri = '/index.html';
        return request;
    }

    var auth = uri.match(AUTH_PAGE);
    if (auth) {
        request.uri = '/auth/' + auth[1] + '/index.html';
        return request;
    }

    var segments = uri.split('/'); // '/a/b' -> ['', 'a', 'b']
    var app = segments[1];
    if (segments[0] !== '' || !APP_NAME.test(app) || RESERVED[app]) {
        return request;
    }

    if (segments.length === 2) {
        // '/<app>' with no trailing slash: relative URLs would resolve against '/'.
        return redirect('/' + app + '/', request.querystring);
    }

    var last = segments[segments.length - 1];
    if (last === '' || last.indexOf('.') === -1) {
        request.uri = '/' + app + '/index.html';
    }
    return request;
}
