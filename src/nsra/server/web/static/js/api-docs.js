// Starts Swagger UI on the API's own OpenAPI document (a file, not an inline script, so that
// the Content-Security-Policy allows scripts from this server only).
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({
    url: document.body.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    withCredentials: true,
    validatorUrl: null, // the default asks validator.swagger.io: never another host
  });
});
