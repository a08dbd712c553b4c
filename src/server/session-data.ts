// What our stages keep in a session, so that req.session.myName is typed.
declare module 'express-session' {
  interface SessionData {
    myName: string;
    // when the name was stored (stage 9 on), as an ISO date
    since: string;
  }
}

export {};
