// Swagger UI or ReDoc from the assets of the fastapi-offline package; nothing is fetched elsewhere.
(function () {
  const el = document.getElementById("apidocs");
  const url = el.dataset.openapi;
  if (el.dataset.which === "swagger") {
    window.ui = SwaggerUIBundle({ url: url, dom_id: "#apidocs", validatorUrl: null, deepLinking: true,
                                  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout" });
  } else {
    Redoc.init(url, { disableSearch: false, hideDownloadButton: false }, el);
  }
})();
