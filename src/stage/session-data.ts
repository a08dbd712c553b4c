// What our stages keep in a session, so that req.session.myName is typed.
declare module 'express-session' {
  interface SessionData {
    myName: string;
    // when the name was stored (stage 9 on), as an ISO date
    since: string;
    // a secret of this session's own, put into its forms (stage 12 on)
    csrfToken: string;
  }
}

export {};
