// What our stages keep in a session, so that req.session.myName is typed.
declare module 'express-session' {
  interface SessionData {
    myName: string;
  }
}

export {};
