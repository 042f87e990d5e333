import { reactive } from 'vue'
import { auth, users } from './api'
import type { User } from './api/types'
import { formatInstant, zonedLocalToUtc, utcToZonedLocal } from './lib/time'
import { formatNumber, formatPercent, formatScore } from './lib/format'
import { setLocale, currentLocale, type Locale } from './i18n'

// The UI language is the profile's `locale`: switching it in the header
// saves it to the profile, and logging in (or reloading) adopts the
// profile's. A switch whose save has not been confirmed yet is kept under
// this key, so a reload right after it does not undo it.
const UNSAVED = 'lms.locale.unsaved'
// A language picked on the login page goes to the profile of whoever logs in
// next from this page (a page visit only, not remembered).
let pickedLoggedOut: Locale | null = null

// Saves run one after another, so the last switch is the one that stays
// (a request that hangs holds the next one back for 5 s at most).
let saving: Promise<void> = Promise.resolve()
function saveLocale(l: Locale): Promise<void> {
  if (!session.user) return saving
  localStorage.setItem(UNSAVED, l)
  const before = Promise.race([saving, new Promise<void>((r) => setTimeout(r, 5000))])
  saving = before.then(() => putLocale(l))
  return saving
}
async function putLocale(l: Locale) {
  const u = session.user
  if (!u) return
  try {
    const saved = await users.updateProfile(u.id, { display_name: u.display_name, locale: l, time_zone: u.time_zone })
    if (session.user?.id === saved.id) session.user = saved
    if (localStorage.getItem(UNSAVED) === l) localStorage.removeItem(UNSAVED)
  } catch {
    // The UI has switched anyway; the next reload tries the profile again.
  }
}

/** Switches the UI language and, when logged in, the profile's. */
export async function changeLanguage(l: Locale) {
  setLocale(l)
  if (!session.user) {
    pickedLoggedOut = l
    return
  }
  if (session.user.locale !== l || localStorage.getItem(UNSAVED)) await saveLocale(l)
}

/** After logging in or reloading: a choice not yet in the profile goes there, else the profile's language is used. */
function adoptLocale(u: User | null, atLogin: boolean) {
  if (!u) return
  const stored = localStorage.getItem(UNSAVED)
  const unsaved: Locale | null = stored === 'ru' || stored === 'en' ? stored : atLogin ? pickedLoggedOut : null
  pickedLoggedOut = null
  if (unsaved && unsaved !== u.locale) {
    setLocale(unsaved)
    void saveLocale(unsaved)
  } else {
    localStorage.removeItem(UNSAVED)
    setLocale(u.locale)
  }
}

export type { User }

export const session = reactive<{ user: User | null; checked: boolean }>({ user: null, checked: false })

export async function loadMe(): Promise<User | null> {
  try {
    session.user = await auth.me()
    adoptLocale(session.user, false)
  } catch {
    session.user = null
  }
  session.checked = true
  return session.user
}

/**
 * After an answer that logged someone in (`/auth/login`, accepting an
 * invitation, registering; the server set the session cookies): the
 * session's user and the profile's language, as at login.
 */
export function loggedIn(u: User): User {
  session.user = u
  session.checked = true
  adoptLocale(u, true)
  return u
}

export async function login(email: string, password: string) {
  const r = await auth.login(email, password)
  return loggedIn(r.user)
}

export async function logout() {
  try {
    await auth.logout()
  } finally {
    session.user = null
    localStorage.removeItem(UNSAVED)
  }
}

export const tz = () => session.user?.time_zone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
const loc = currentLocale
/** An instant in the user's zone and language. */
export const fmt = (iso?: string | null) => formatInstant(iso, tz(), loc())
export const fmtDate = (iso?: string | null) => formatInstant(iso, tz(), loc(), true)
export const toUtc = (local: string) => (local ? zonedLocalToUtc(local, tz()) : null)
export const toLocal = (iso?: string | null) => utcToZonedLocal(iso, tz())
/** A number (4,8 in Russian), a score ("4,8 / 10") and a percentage in the UI language. */
export const fmtNum = (n?: number | null, maxDigits = 2) => formatNumber(n, loc(), maxDigits)
export const fmtScore = (score?: number | null, max?: number | null) => formatScore(score, max, loc())
/** `value` in percent (87.5 → "87,5 %"); `share: true` for a 0..1 share. */
export const fmtPct = (value?: number | null, share = false) => formatPercent(value, loc(), share)
export const isStaff = () => ['teacher', 'admin', 'assistant'].includes(session.user?.role ?? '')
export const isTeacher = () => ['teacher', 'admin'].includes(session.user?.role ?? '')
