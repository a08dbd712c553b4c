import type { ErrorRequestHandler, RequestHandler } from 'express';
import { problemPage } from './pages.js';

export const notFound: RequestHandler = (req, res) => {
  // browsers ask every site for /favicon.ico; a bare reply (stages 1 and 2) names no icon, and
  // a 404 here would show as an error in the browser's console: "no content" says "no icon"
  if (req.path === '/favicon.ico') {
    res.status(204).end();
    return;
  }
  res
    .status(404)
    .send(problemPage(404, `This stage has no page for ${req.method} ${req.path} (yet).`));
};

// body-parser marks its errors with a type; each gets a sentence a beginner can act on.
const problems: Record<string, string> = {
  'entity.too.large': 'The form is larger than 1 KB: send a shorter name.',
  'entity.parse.failed': 'The form could not be read: it is not valid form data.',
  'encoding.unsupported': 'The form uses a content encoding this server does not accept.',
  'charset.unsupported': 'The form uses a character set this server does not accept: use UTF-8.',
  'parameters.too.many': 'The form has too many fields: send just the name.',
  'form.encoding.broken':
    'The form has a broken %-escape (such as %ZZ, or bytes that are not UTF-8): encode it again.',
  'request.size.invalid': 'The form was shorter or longer than its Content-Length header said.',
  'request.aborted': 'The form stopped arriving before it was complete.',
};

/** The sentence for a 4xx error from the body parser, or from zlib when a body is not really compressed. */
function problemFor(err: { type?: string; code?: string }): string {
  if (err.type && problems[err.type]) return problems[err.type];
  if (err.code?.startsWith('Z_'))
    return 'The form says it is compressed (Content-Encoding) but it could not be decompressed.';
  return 'The request could not be used.';
}

export const showProblem: ErrorRequestHandler = (err, _req, res, next) => {
  if (res.headersSent) return next(err);
  const status = Number(err?.status ?? err?.statusCode);
  if (status >= 400 && status < 500) {
    res.status(status).send(problemPage(status, problemFor(err)));
    return;
  }
  console.error(err);
  res.status(500).send(problemPage(500, 'The server hit a problem it did not expect.'));
};
