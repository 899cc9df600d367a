/** A banned network as the daemon lists it. */
export interface Ban {
  cidr: string;
  reason: string | null;
  createdAt: string;
  expiresAt: string | null;
  /** `api` for bans made through the API; `file:<path>` for lines of the ban-list file. */
  source: string;
}
