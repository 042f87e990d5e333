// Notifications of every kind the bell lists, and inbox entries made of them.
import type { InboxItem, NoticeData } from '../src/api/types'
import type { KINDS } from '../src/lib/delivery'

/** The data of one kind (`Of<'homework_graded'>` has `score`). */
type Of<K extends NoticeData['event']> = Extract<NoticeData, { event: K }>

/** One notification of every kind the bell lists. */
export const SAMPLES: { [K in (typeof KINDS)[number]]: Of<K> } = {
  new_assignment: { event: 'new_assignment', assignment_id: 'a1', course_id: 'c1', course_title: 'Алгебра', title: 'ДЗ 1', due_at: '2026-12-12T20:59:00Z' },
  deadline_reminder: { event: 'deadline_reminder', assignment_id: 'a1', course_id: 'c1', course_title: 'Алгебра', title: 'ДЗ 1', due_at: '2026-12-12T20:59:00Z', hours_before: 24 },
  quiz_reminder: { event: 'quiz_reminder', quiz_id: 'q1', course_id: 'c1', course_title: 'Алгебра', title: 'Тест 1', closes_at: '2026-12-12T20:59:00Z', hours_before: 2 },
  homework_graded: { event: 'homework_graded', assignment_id: 'a1', course_id: 'c1', submission_id: 's1', title: 'ДЗ 1', score: 8.5, max_score: 10 },
  homework_returned: { event: 'homework_returned', assignment_id: 'a1', course_id: 'c1', submission_id: 's1', title: 'ДЗ 1' },
  webinar_scheduled: { event: 'webinar_scheduled', webinar_id: 'w1', course_id: 'c1', course_title: 'Алгебра', title: 'Разбор', starts_at: '2026-12-15T15:00:00Z', join_url: null },
  webinar_changed: { event: 'webinar_changed', webinar_id: 'w1', course_id: 'c1', title: 'Разбор', cancelled: false, starts_at: '2026-12-16T15:00:00Z' },
  webinar_reminder: { event: 'webinar_reminder', webinar_id: 'w1', course_id: 'c1', title: 'Разбор', minutes_before: 10, starts_at: '2026-12-15T15:00:00Z' },
  achievement_awarded: { event: 'achievement_awarded', badge: 'perfect_quiz', course_id: 'c1', quiz_id: 'q1' },
  submission_comment: { event: 'submission_comment', course_id: 'c1', assignment_id: 'a1', title: 'ДЗ 1', submission_id: 's1', author_name: 'Ирина Петрова', to_staff: false },
  announcement: { event: 'announcement', course_id: 'c1', course_title: 'Алгебра', announcement_id: 'n1', title: 'Контрольная переносится', author_name: 'Анна Петровна' },
}

/** An entry of the list: `n` minutes old, unread unless `read`. */
export function entry(id: string, n: NoticeData, link: string, minutesAgo = 5, read = false, now = Date.now()): InboxItem {
  const created_at = new Date(now - minutesAgo * 60_000).toISOString()
  return { id, kind: n.event, notification: n, link, created_at, read_at: read ? created_at : null }
}
