// The calendar and its iCal feed (tag `schedule`).
import { client, ok, done } from './client'

export const schedule = {
  /** `GET /schedule`: lessons, deadlines, quiz windows and webinars between two instants. */
  get: (from: string, to: string) => ok(client.GET('/api/v1/schedule', { params: { query: { from, to } } })),
  /** `GET /calendar-feed`: the current feed URL to copy again (`feed: null` when there is none); nothing changes. */
  currentFeed: () => ok(client.GET('/api/v1/calendar-feed')),
  /** `POST /calendar-feed`: a new secret feed URL (the old one stops working). */
  rotateFeed: () => ok(client.POST('/api/v1/calendar-feed')),
  turnOffFeed: () => done(client.DELETE('/api/v1/calendar-feed')),
}
