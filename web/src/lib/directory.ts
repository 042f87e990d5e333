// The school's user directory (admins) and the typeahead (teachers):
// query strings, paging and the bulk actions' outcomes in words.
import type { AccountMatch, BulkOutcome, QueryOf, Role, User } from '../api/types'

export type { BulkOutcome, Role }
/** One account of the users page (`GET /users`). */
export type DirUser = User
/** One account found by `GET /users/search`. */
export type UserHit = AccountMatch

export const ROLES: Role[] = ['admin', 'teacher', 'assistant', 'student']

export interface DirFilters {
  q: string
  role: Role | ''
  active: '' | 'true' | 'false'
}

/** Page size of the users page. */
export const USERS_PAGE = 50
/** The typeahead asks from this many characters on. */
export const SEARCH_MIN = 2
/** The server's limit per bulk request. */
export const BULK_MAX = 500

/** The filters as the query of `GET /users` (empty ones left out); with `limit`, also `limit` and `offset`. */
export function usersParams(f: DirFilters, page?: { limit: number; offset: number }): QueryOf<'/api/v1/users'> {
  const p: QueryOf<'/api/v1/users'> = {}
  const q = f.q.trim()
  if (q) p.q = q
  if (f.role) p.role = f.role
  if (f.active) p.active = f.active === 'true'
  if (page) {
    p.limit = page.limit
    p.offset = Math.max(0, page.offset)
  }
  return p
}

/** The same as a query string (the CSV export's link). */
export function usersQuery(f: DirFilters, page?: { limit: number; offset: number }): string {
  return new URLSearchParams(Object.entries(usersParams(f, page)).map(([k, v]) => [k, String(v)])).toString()
}

/** `GET /users` asks for one more than a page: the page's rows and whether there is a next page. */
export function pageOf<T>(rows: readonly T[] | null | undefined, size: number): { rows: T[]; more: boolean } {
  const all = rows ?? []
  return { rows: all.slice(0, size), more: all.length > size }
}

/** The typeahead's query (`GET /users/search`), or null while the text is too short. */
export function searchQuery(text: string, role?: Role): QueryOf<'/api/v1/users/search'> | null {
  const q = text.trim()
  if ([...q].length < SEARCH_MIN) return null
  return role ? { q, role } : { q }
}

/** Accounts that can assist on a course: teachers and assistants, not the owner. */
export const canAssist = (u: UserHit, ownerId?: string) => (u.role === 'teacher' || u.role === 'assistant') && u.id !== ownerId

/** How many accounts ended with each code, in the order first seen. */
export function countCodes(outcomes: readonly BulkOutcome[]): [string, number][] {
  const m = new Map<string, number>()
  for (const o of outcomes) m.set(o.code, (m.get(o.code) ?? 0) + 1)
  return [...m.entries()]
}

/** The failed accounts by id, with their code (for marks on the rows). */
export function failures(outcomes: readonly BulkOutcome[]): Record<string, string> {
  return Object.fromEntries(outcomes.filter((o) => !o.ok).map((o) => [o.user_id, o.code]))
}

type Tr = (key: string, params?: Record<string, unknown>) => string
type Has = (key: string) => boolean

/** One outcome code in words (`bulk_codes.<code>`), else the code itself. */
export function codeText(code: string, t: Tr, te: Has): string {
  const k = `bulk_codes.${code}`
  return te(k) ? t(k) : code
}

/** A summary such as "Отключено: 2; нельзя отключить себя: 1" and whether anything failed. */
export function summarize(outcomes: readonly BulkOutcome[], t: Tr, te: Has): { text: string; failed: number } {
  const failed = outcomes.filter((o) => !o.ok).length
  const text = countCodes(outcomes)
    .map(([code, n]) => t('bulk.count', { what: codeText(code, t, te), n }))
    .join('; ')
  return { text, failed }
}
