// Why the login page was shown: a one-time notice handed to it by the page
// that sent the user there. It is kept in sessionStorage (this tab only)
// and read once by the login page, so a reload or a later visit does not
// show it again. (A query parameter would not do: the app remounts the page
// when its URL changes, and a reload or a bookmark would bring it back.)

/** The notices the login page knows. */
export const LOGIN_NOTICES = ['password_changed', 'session_ended'] as const
export type LoginNotice = (typeof LOGIN_NOTICES)[number]

const KEY = 'lms.login.notice'

/** Leaves `notice` for the next visit of the login page in this tab. */
export function noteForLogin(notice: LoginNotice) {
  try {
    sessionStorage.setItem(KEY, notice)
  } catch {
    // Storage off: the login page just shows no notice.
  }
}

/** The notice left for the login page, if any; it is removed (shown once). */
export function takeLoginNotice(): LoginNotice | null {
  try {
    const n = sessionStorage.getItem(KEY)
    sessionStorage.removeItem(KEY)
    return (LOGIN_NOTICES as readonly string[]).includes(n ?? '') ? (n as LoginNotice) : null
  } catch {
    return null
  }
}
