// Course announcements: whom an author may address, the request a form
// makes, the "для групп: …" badge and who may delete one. Pure: groups,
// ids and the translation function come in.
import type { Announcement, AnnouncementRequest, Group } from '../api/types'
import { isArchived, ordered } from './groups'

type T = (key: string, params?: Record<string, unknown>) => string

/** How many a course page lists before «Показать все». */
export const SHOWN_FIRST = 3
/** How many it asks for at first, and when all are asked for (the server's maximum). */
export const FIRST_PAGE = 20
export const ALL_PAGE = 100

/**
 * The groups an author may write to: every working group for the owner or
 * an admin (`canManage`), the working groups they mentor for an assistant.
 */
export function addressable(groups: readonly Group[], canManage: boolean, userId: string | null | undefined): Group[] {
  const working = ordered(groups).filter((g) => !isArchived(g))
  return canManage ? working : working.filter((g) => !!userId && g.mentors.includes(userId))
}

/** What the form addresses: the whole course (the owner or an admin only), or the ticked groups. */
export interface Target {
  everyone: boolean
  groups: string[]
}

/** The form's starting choice: the whole course for a manager, every group they mentor for an assistant. */
export function initialTarget(canManage: boolean, mine: readonly Group[]): Target {
  return canManage ? { everyone: true, groups: [] } : { everyone: false, groups: mine.map((g) => g.id) }
}

/**
 * The request, or `null` while nothing is chosen (no group ticked and not
 * the whole course). Only a manager may address the whole course; the
 * groups sent are those of `allowed` that are ticked.
 */
export function requestOf(title: string, body: string, target: Target, canManage: boolean, allowed: readonly Group[]): AnnouncementRequest | null {
  const ids = allowed.filter((g) => target.groups.includes(g.id)).map((g) => g.id)
  if (canManage && target.everyone) return { title: title.trim(), body, group_ids: [] }
  if (!ids.length) return null
  return { title: title.trim(), body, group_ids: ids }
}

/**
 * The badge of an announcement for some groups: «для групп: А, Б» with the
 * names the reader knows (staff); empty for the whole course, or when no
 * name is known (a student, who sees only what is meant for them).
 */
export function audienceLabel(groupIds: readonly string[], names: Readonly<Record<string, string>>, t: T): string {
  if (!groupIds.length) return ''
  const known = groupIds.map((id) => names[id]).filter((n): n is string => !!n)
  if (!known.length) return ''
  const rest = groupIds.length - known.length
  const list = known.join(', ')
  return t(known.length === 1 && !rest ? 'announcements.for_group' : 'announcements.for_groups', { groups: rest ? t('announcements.and_more', { list, n: rest }) : list })
}

/** Group id → name, for the badges. */
export const groupNames = (groups: readonly Group[]): Record<string, string> => Object.fromEntries(groups.map((g) => [g.id, g.name]))

/** Its author, the course's owner or an admin may delete it. */
export const canDelete = (a: Pick<Announcement, 'author_id'>, userId: string | null | undefined, canManage: boolean) => canManage || (!!userId && a.author_id === userId)

/** Where a dashboard entry leads: the course page at its announcements. */
export const announcementLink = (courseId: string) => `/courses/${courseId}#announcements`
