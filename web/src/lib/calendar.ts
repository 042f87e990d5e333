// Schedule items of the API → FullCalendar events.
//
// FullCalendar runs in UTC and is given each event as the wall time of the
// user's zone, so nothing shifts it again. Instants (deadlines, lessons that
// become available, a quiz opening or closing) are points: only `start`, shown
// as a dot with the full "23:59". A quiz window is two such points rather
// than one event over the whole window, which would fill every day of a month
// and every hour of a week and hide the deadlines under it.
import type { EventInput, FormatterInput } from '@fullcalendar/core'
import { utcToZonedLocal } from './time'
import type { EventSource, ScheduleEvent } from '../api/types'

/** What a schedule item is about (a lesson, a deadline, a quiz window, a webinar). */
export type ScheduleSource = EventSource
/** One item of `GET /schedule` (lms-core `ScheduleEvent`). */
export type ScheduleItem = ScheduleEvent

/** Which end of a quiz window a marker stands for. */
export type QuizMarker = 'opens' | 'closes'

/** What the calendar keeps about an event for the details panel. */
export interface CalendarEventProps {
  item: ScheduleItem
  marker?: QuizMarker
}

export const KIND_COLORS: Record<ScheduleSource['kind'], string> = {
  lesson: '#6c757d',
  deadline: '#dc3545',
  // A darker orange than Bootstrap's #fd7e14: white titles on it need 4.5:1 (#16).
  quiz_window: '#b35c00',
  webinar: '#198754',
}

/** Times as "23:59" in every view and language (not "23" or "11p"). */
export const EVENT_TIME_FORMAT: FormatterInput = { hour: '2-digit', minute: '2-digit', hour12: false }

/**
 * Options every schedule calendar needs for points in time to stay points:
 * an event without an end lasts one second for FullCalendar's layout, so a
 * deadline at 23:59 stays on its own day (the default hour would reach into
 * the next one and list it there again at 00:00).
 */
export const POINT_OPTIONS = {
  timeZone: 'UTC',
  eventTimeFormat: EVENT_TIME_FORMAT,
  slotLabelFormat: EVENT_TIME_FORMAT,
  defaultTimedEventDuration: '00:00:01',
} as const

/** The titles of the two quiz-window markers, in the UI language. */
export interface CalendarLabels {
  quizOpens: (title: string) => string
  quizCloses: (title: string) => string
}

/** `YYYY-MM-DDTHH:mm:00` of an instant in `timeZone`, with no offset. */
export const wallTime = (iso: string, timeZone: string) => `${utcToZonedLocal(iso, timeZone)}:00`

function point(item: ScheduleItem, at: string, timeZone: string, title: string, marker?: QuizMarker): EventInput {
  return {
    id: marker ? `${item.uid}#${marker}` : item.uid,
    title,
    start: wallTime(at, timeZone),
    allDay: false,
    display: 'list-item',
    color: KIND_COLORS[item.source.kind],
    classNames: [`lms-${item.source.kind.replace('_', '-')}`, 'lms-point'],
    extendedProps: { item, marker } satisfies CalendarEventProps,
  }
}

/** The FullCalendar events of schedule items, in the user's zone. */
export function toCalendarEvents(items: ScheduleItem[], timeZone: string, labels: CalendarLabels): EventInput[] {
  const out: EventInput[] = []
  for (const item of items) {
    const title = `${item.title} · ${item.course_title}`
    switch (item.source.kind) {
      case 'deadline':
      case 'lesson':
        out.push(point(item, item.starts_at, timeZone, title))
        break
      case 'quiz_window':
        // The server gives a one-sided window (only an opening or only a
        // closing time) as one instant; which side it is is not known here.
        if (item.starts_at === item.ends_at) {
          out.push(point(item, item.starts_at, timeZone, title))
        } else {
          out.push(point(item, item.starts_at, timeZone, labels.quizOpens(title), 'opens'))
          out.push(point(item, item.ends_at, timeZone, labels.quizCloses(title), 'closes'))
        }
        break
      case 'webinar':
        out.push({
          id: item.uid,
          title,
          start: wallTime(item.starts_at, timeZone),
          end: wallTime(item.ends_at, timeZone),
          allDay: false,
          color: KIND_COLORS.webinar,
          classNames: ['lms-webinar'],
          extendedProps: { item } satisfies CalendarEventProps,
        })
        break
    }
  }
  return out
}
