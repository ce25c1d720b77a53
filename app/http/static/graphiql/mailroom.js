// Mailroom's GraphiQL: the token comes from the address's fragment
// (/graphql#token=mr_…, the link `mailroom dev` prints), which browsers never send
// to a server. Headers are never stored in the browser (not even in GraphiQL's
// history): a reload reads the fragment again, and closing the tab forgets the token.
(function () {
  "use strict";

  var WELCOME = [
    "# Mailroom's GraphiQL. Every operation needs a token: open this page as",
    "# /graphql#token=<token> (`mailroom dev` prints that link), or set",
    '# {"Authorization": "Bearer <token>"} under Headers below.',
    "#",
    "# Run with Ctrl-Enter or the play button.",
    "{ viewer { email } }",
    "",
  ].join("\n");

  var fragment = new URLSearchParams(window.location.hash.slice(1));
  var search = new URLSearchParams(window.location.search);
  var token = fragment.get("token");
  var headers = token
    ? JSON.stringify({ Authorization: "Bearer " + token }, null, 2)
    : undefined;

  function keepInAddress(name, value) {
    // ?query=…&variables=… make a shareable link; the fragment stays as it was.
    if (value) search.set(name, value);
    else search.delete(name);
    var query = search.toString();
    history.replaceState(
      null,
      "",
      window.location.pathname + (query ? "?" + query : "") + window.location.hash
    );
  }

  function hasAuthorization(options) {
    var sent = (options && options.headers) || {};
    return Object.keys(sent).some(function (name) {
      return name.toLowerCase() === "authorization";
    });
  }

  function withoutHeaders(value) {
    // Its history (graphiql:queries) would keep each run's headers, token included.
    try {
      return JSON.stringify(JSON.parse(value), function (key, item) {
        return key === "headers" ? undefined : item;
      });
    } catch (notJson) {
      return value;
    }
  }

  var storage = {
    getItem: function (key) {
      return localStorage.getItem(key);
    },
    setItem: function (key, value) {
      localStorage.setItem(key, withoutHeaders(value));
    },
    removeItem: function (key) {
      localStorage.removeItem(key);
    },
    clear: function () {
      localStorage.clear();
    },
    get length() {
      return localStorage.length;
    },
  };

  var fetchOverHttp = GraphiQL.createFetcher({ url: window.location.pathname });

  function fetcher(params, options) {
    // Without a token the API can only answer AUTHENTICATION_FAILED: say what to do.
    if (!hasAuthorization(options)) {
      return Promise.resolve({
        errors: [
          {
            message:
              "No token yet: open /graphql#token=<token>, or set " +
              '{"Authorization": "Bearer <token>"} under Headers.',
          },
        ],
      });
    }
    return fetchOverHttp(params, options);
  }

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      storage: storage,
      defaultQuery: WELCOME,
      query: search.get("query") || undefined,
      variables: search.get("variables") || undefined,
      headers: headers,
      onEditQuery: function (value) {
        keepInAddress("query", value);
      },
      onEditVariables: function (value) {
        keepInAddress("variables", value);
      },
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    })
  );
})();
