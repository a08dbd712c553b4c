/**
 * The response header with which session-tutor's own stage servers name their stage, so `check`
 * can tell the tutor's server from the learner's. What eject copies never sends it: it is added
 * by the tutor's stage host (src/server/start.ts), not by the stage apps.
 */
export const ownStageHeader = 'session-tutor-stage';
