// «Мои группы» on the staff dashboard: the groups a teacher or mentor
// watches and the students falling behind (homework overdue, or nothing
// done for a while), and where a student's page is. Pure.
import type { BehindStudent, WatchedGroup } from '../api/types'

type T = (key: string, params?: Record<string, unknown>) => string

/** A student with nothing done for this many days counts as behind (the server's default). */
export const INACTIVE_DAYS = 7
/** Students listed per group before «Показать всех». */
export const BEHIND_SHOWN = 5

/** The staff page of a student in a course. */
export const studentPath = (courseId: string, studentId: string) => `/courses/${courseId}/students/${studentId}`

/** Students behind in every group together. */
export const behindTotal = (groups: readonly Pick<WatchedGroup, 'behind'>[]) => groups.reduce((n, g) => n + g.behind.length, 0)

/**
 * Why a student is behind, in a line: «просрочено: 2 · последняя активность:
 * 12 дек., 10:00», «нет активности» when they never did anything.
 * `when` formats an instant in the user's zone and language.
 */
export function behindLine(s: Pick<BehindStudent, 'overdue' | 'last_activity' | 'inactive'>, t: T, when: (iso: string) => string): string {
  const parts: string[] = []
  if (s.overdue > 0) parts.push(t('watch.overdue', { n: s.overdue }))
  parts.push(s.last_activity ? t('watch.last_activity', { at: when(s.last_activity) }) : t('watch.no_activity'))
  return parts.join(' · ')
}

/** A group's line under its name: «Студентов: 12 · отстают: 2», «Студентов: 12 · все успевают»,
 * «В группе пока нет студентов». */
export function groupLine(g: Pick<WatchedGroup, 'student_count' | 'behind'>, t: T): string {
  if (!g.student_count) return t('watch.no_students')
  const count = t('watch.students', { n: g.student_count })
  return `${count} · ${g.behind.length ? t('watch.behind', { n: g.behind.length }) : t('watch.all_fine')}`
}
