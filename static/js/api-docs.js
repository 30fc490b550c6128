// Starts Swagger UI on /api/docs/. A file of our own rather than an inline
// script, so the page passes the site's Content-Security-Policy.
(() => {
  const root = document.getElementById("swagger-ui");
  const { schemaUrl, settings, csrfHeader, csrfToken } = root.dataset;
  window.ui = SwaggerUIBundle({
    url: schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // "Try it out" while signed in on the website sends the session cookie:
    // writes need the CSRF token then, as the website's forms do.
    requestInterceptor: (request) => {
      if (!["GET", "HEAD", undefined].includes(request.method)) {
        request.headers[csrfHeader] = csrfToken;
      }
      return request;
    },
    ...JSON.parse(settings || "{}"),
  });
})();
