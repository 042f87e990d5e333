// Groups of a course's students (issue: groups with mentors): their order on
// the page, which of them a filter offers, and how many students each has.
import type { Group, GroupMember } from '../api/types'

/** Whether a group is archived (keeps its students, takes no new ones, its code stops working). */
export const isArchived = (g: Pick<Group, 'archived_at'>) => !!g.archived_at

/** Working groups first, archived ones at the end; each part keeps the API's order (oldest first). */
export function ordered(groups: readonly Group[]): Group[] {
  return [...groups.filter((g) => !isArchived(g)), ...groups.filter(isArchived)]
}

/**
 * The groups a group filter offers: every group to the owner or an admin
 * (`canManage`); an assistant of a course with groups sees only the students
 * of the groups they mentor, so only those.
 */
export function filterable(groups: readonly Group[], canManage: boolean, userId: string | null | undefined): Group[] {
  return ordered(canManage ? groups : groups.filter((g) => !!userId && g.mentors.includes(userId)))
}

/** Students per group id, and under `''` those in no group. */
export function countByGroup(members: readonly GroupMember[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const m of members) {
    const k = m.group_id ?? ''
    out[k] = (out[k] ?? 0) + 1
  }
  return out
}

/** Student id → group id (`null`: in no group) of those the caller sees. */
export function groupOf(members: readonly GroupMember[]): Record<string, string | null> {
  return Object.fromEntries(members.map((m) => [m.student_id, m.group_id ?? null]))
}
