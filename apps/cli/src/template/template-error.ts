/** An error in Go's words (`template: :1: function "foo" not defined`); the CLI names the template around it. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}
