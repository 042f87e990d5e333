import { describe, it, expect } from 'vitest'
import shared from '../../lms-core/src/notification/web_paths.json'
import { router } from '../src/router'

// E-mails, Telegram messages and calendar feeds link to the paths of the
// shared definition; each must open its page, not the 404 route.
describe('links from notifications', () => {
  for (const [key, pattern] of Object.entries(shared)) {
    it(`${key}: ${pattern} opens a page`, () => {
      const path = pattern.replace(/\{(\w+)\}/g, '0b6a5c2e-1f00-4c7e-9d3e-2a1b3c4d5e6f')
      const match = router.resolve(path)
      expect(match.name).not.toBe('notfound')
      expect(match.matched.length).toBeGreaterThan(0)
    })
  }
})
