import { describe, it, expect, afterEach } from 'vitest'
import { Calendar, type EventInput } from '@fullcalendar/core'
import dayGridPlugin from '@fullcalendar/daygrid'
import timeGridPlugin from '@fullcalendar/timegrid'
import listPlugin from '@fullcalendar/list'
import { toCalendarEvents, POINT_OPTIONS, type ScheduleItem } from '../src/lib/calendar'

// Moscow is UTC+3: 20:59Z is 23:59 there.
const deadline: ScheduleItem = {
  uid: 'deadline-a1@lms', course_id: 'c1', course_title: 'Алгебра', title: 'Домашка',
  starts_at: '2026-03-10T20:59:00Z', ends_at: '2026-03-10T20:59:00Z',
  source: { kind: 'deadline', assignment_id: 'a1' },
}
// Open for the whole month.
const quiz: ScheduleItem = {
  uid: 'quiz-q1@lms', course_id: 'c1', course_title: 'Алгебра', title: 'Контрольная',
  starts_at: '2026-03-01T06:00:00Z', ends_at: '2026-03-31T18:00:00Z',
  source: { kind: 'quiz_window', quiz_id: 'q1' },
}
const webinar: ScheduleItem = {
  uid: 'webinar-w1@lms', course_id: 'c1', course_title: 'Алгебра', title: 'Разбор',
  starts_at: '2026-03-10T15:00:00Z', ends_at: '2026-03-10T16:30:00Z',
  source: { kind: 'webinar', webinar_id: 'w1', join_url: 'https://meet.example.org/x', host_url: null },
}
const labels = { quizOpens: (t: string) => `Открывается: ${t}`, quizCloses: (t: string) => `Закрывается: ${t}` }
const events = () => toCalendarEvents([deadline, quiz, webinar], 'Europe/Moscow', labels)

describe('schedule items → calendar events', () => {
  it('a deadline is a point in time: only a start, in the user zone, drawn as a dot', () => {
    const [d] = events().filter((e) => String(e.id).startsWith('deadline'))
    expect(d.start).toBe('2026-03-10T23:59:00')
    expect(d.end).toBeUndefined()
    expect(d.allDay).toBe(false)
    expect(d.display).toBe('list-item')
  })
  it('a quiz window becomes an "opens" and a "closes" marker, not one long event', () => {
    const q = events().filter((e) => String(e.id).startsWith('quiz'))
    expect(q.map((e) => [e.title, e.start, e.end])).toEqual([
      ['Открывается: Контрольная · Алгебра', '2026-03-01T09:00:00', undefined],
      ['Закрывается: Контрольная · Алгебра', '2026-03-31T21:00:00', undefined],
    ])
    expect(q.every((e) => e.display === 'list-item')).toBe(true)
  })
  it('a one-sided quiz window (start = end) is one marker', () => {
    const one = toCalendarEvents([{ ...quiz, ends_at: quiz.starts_at }], 'Europe/Moscow', labels)
    expect(one).toHaveLength(1)
    expect(one[0].end).toBeUndefined()
  })
  it('a webinar keeps its start and end', () => {
    const [w] = events().filter((e) => String(e.id).startsWith('webinar'))
    expect([w.start, w.end]).toEqual(['2026-03-10T18:00:00', '2026-03-10T19:30:00'])
  })
  it('times are shown with minutes, 24-hour', () => {
    expect(POINT_OPTIONS.eventTimeFormat).toEqual({ hour: '2-digit', minute: '2-digit', hour12: false })
  })
})

// The same events in a real FullCalendar (jsdom): what a user would see.
describe('the calendar draws them', () => {
  let el: HTMLElement
  let cal: Calendar | null = null
  afterEach(() => {
    cal?.destroy()
    el?.remove()
  })
  function render(view: string, input: EventInput[]) {
    el = document.createElement('div')
    document.body.appendChild(el)
    cal = new Calendar(el, {
      ...POINT_OPTIONS,
      plugins: [dayGridPlugin, timeGridPlugin, listPlugin],
      initialView: view,
      initialDate: '2026-03-10',
      firstDay: 1,
      locale: 'ru',
      events: input,
    })
    cal.render()
    return el
  }
  const rowsOf = (root: HTMLElement, sel: string, title: string) => [...root.querySelectorAll(sel)].filter((r) => r.textContent?.includes(title))

  it('the list lists a 23:59 deadline once, at 23:59', () => {
    const root = render('listMonth', events())
    const rows = rowsOf(root, '.fc-list-event', 'Домашка')
    expect(rows).toHaveLength(1)
    expect(rows[0].querySelector('.fc-list-event-time')?.textContent).toBe('23:59')
  })
  it('the month shows the deadline as one dot with "23:59" and the quiz on two days only', () => {
    const root = render('dayGridMonth', events())
    const d = rowsOf(root, '.fc-daygrid-event', 'Домашка')
    expect(d).toHaveLength(1)
    expect(d[0].classList.contains('fc-daygrid-dot-event')).toBe(true)
    expect(d[0].querySelector('.fc-event-time')?.textContent).toBe('23:59')
    const q = rowsOf(root, '.fc-daygrid-event', 'Контрольная')
    expect(q).toHaveLength(2)
    expect(q.every((e) => e.classList.contains('fc-daygrid-dot-event'))).toBe(true)
  })
  it('the week view does not cover the deadline with the quiz window', () => {
    const root = render('timeGridWeek', events())
    const q = rowsOf(root, '.fc-event', 'Контрольная')
    // Neither marker falls in the week of 9–15 March, and nothing spans it.
    expect(q).toHaveLength(0)
    expect(rowsOf(root, '.fc-timegrid-event', 'Домашка')).toHaveLength(1)
  })
})
