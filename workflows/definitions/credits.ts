// Messages of creditGrantsWorkflow (shared by the schedule, the API's facade and the workflow).

export interface CreditGrantsInput {
  version: 1;
  /**
   * The instant whose month (in SCHEDULE_TIME_ZONE) is granted; unset: the run's start (a
   * scheduled run on the first of the month grants that month).
   */
  at?: string;
}

export interface CreditGrantsResult {
  month: string;
  granted: number;
  alreadyGranted: number;
  expired: number;
  creditsExpired: number;
}
