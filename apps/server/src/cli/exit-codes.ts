/** `autostun doctor`: nothing FAIL or ERROR. */
export const EXIT_OK = 0;
/** At least one check is FAIL or ERROR. */
export const EXIT_PROBLEMS = 1;
/** Bad usage or bad config: nothing was checked. */
export const EXIT_USAGE = 2;
