import { reactive } from 'vue'
import { get, post } from './api/http'
import { formatInstant, zonedLocalToUtc, utcToZonedLocal } from './lib/time'
import { i18n } from './i18n'

/** Without a remembered choice the UI speaks the user's own language. */
function adoptLocale(u: User | null) {
  if (u && !localStorage.getItem('lms.locale')) (i18n.global.locale as any).value = u.locale
}

export interface User {
  id: string
  email: string
  display_name: string
  role: 'admin' | 'teacher' | 'assistant' | 'student'
  locale: 'ru' | 'en'
  time_zone: string
  active: boolean
}

export const session = reactive<{ user: User | null; checked: boolean }>({ user: null, checked: false })

export async function loadMe(): Promise<User | null> {
  try {
    session.user = await get<User>('/auth/me')
    adoptLocale(session.user)
  } catch {
    session.user = null
  }
  session.checked = true
  return session.user
}

export async function login(email: string, password: string) {
  const r = await post<{ user: User }>('/auth/login', { email, password })
  session.user = r.user
  session.checked = true
  adoptLocale(r.user)
  return r.user
}

export async function logout() {
  try {
    await post('/auth/logout', {})
  } finally {
    session.user = null
  }
}

export const tz = () => session.user?.time_zone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
const loc = () => (i18n.global.locale as any).value as string
/** An instant in the user's zone and language. */
export const fmt = (iso?: string | null) => formatInstant(iso, tz(), loc())
export const fmtDate = (iso?: string | null) => formatInstant(iso, tz(), loc(), true)
export const toUtc = (local: string) => (local ? zonedLocalToUtc(local, tz()) : null)
export const toLocal = (iso?: string | null) => utcToZonedLocal(iso, tz())
export const isStaff = () => ['teacher', 'admin', 'assistant'].includes(session.user?.role ?? '')
export const isTeacher = () => ['teacher', 'admin'].includes(session.user?.role ?? '')
