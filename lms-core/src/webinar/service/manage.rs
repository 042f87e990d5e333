//! Scheduling, rescheduling and cancelling webinars.

use super::*;

impl WebinarService {
    /// Schedules a webinar: creates the conference at the provider, stores
    /// the webinar and tells the enrolled students (unless the course is a
    /// draft they cannot see yet). Only the course owner and admins may.
    pub async fn schedule(
        &self,
        actor: &Actor,
        course_id: CourseId,
        input: WebinarInput,
    ) -> Result<Webinar, ScheduleWebinarError> {
        let course = self
            .courses
            .get_course(course_id)
            .await?
            .ok_or(ScheduleWebinarError::CourseNotFound)?;
        let access = self.access(actor, &course).await?;
        if !access.can_view() {
            return Err(ScheduleWebinarError::CourseNotFound);
        }
        if !access.can_manage() {
            return Err(ScheduleWebinarError::Forbidden);
        }
        if course.status == CourseStatus::Archived {
            return Err(ScheduleWebinarError::CourseArchived);
        }
        let now = self.clock.now();
        check_timing(input.starts_at, input.duration_minutes, now)?;
        let provider = self
            .providers
            .get(&input.provider)
            .ok_or(ScheduleWebinarError::UnknownProvider(input.provider))?;
        let external_url = match input.provider {
            ProviderKind::ExternalLink => Some(
                parse_external_url(input.external_url.as_deref().unwrap_or_default())
                    .map_err(ScheduleWebinarError::InvalidUrl)?,
            ),
            ProviderKind::TrueConf | ProviderKind::Telemost => None,
        };

        let students = self.courses.enrolled_students(course.id).await?;
        let attendees = self.attendees(&course, &students).await?;
        // Read everything that can fail before the conference exists, so only
        // the final write may need compensating.
        let audience = self.audience(&course, &students).await?;
        let id = WebinarId::new();
        let spec = ConferenceSpec {
            webinar_id: id,
            title: input.title.as_str().to_owned(),
            starts_at: input.starts_at,
            duration_minutes: input.duration_minutes,
            host_email: attendees.host_email,
            participant_emails: attendees.participant_emails,
            external_url,
        };
        let conference = provider.create(&spec).await.map_err(|e| match e {
            ProviderError::Transient(msg) => ScheduleWebinarError::ProviderUnavailable(msg),
            ProviderError::Permanent(msg) => ScheduleWebinarError::ProviderRejected(msg),
            e @ ProviderError::NotFound => ScheduleWebinarError::ProviderRejected(e.to_string()),
        })?;

        let webinar = Webinar {
            id,
            course_id: course.id,
            title: input.title,
            starts_at: input.starts_at,
            duration_minutes: input.duration_minutes,
            provider: input.provider,
            conference_id: conference.conference_id,
            join_url: conference.join_url,
            host_url: conference.host_url,
            state: WebinarState::Scheduled,
            created_by: actor.user_id,
            created_at: now,
        };
        let notification = Notification::WebinarScheduled {
            course_id: course.id,
            course_title: course.title.to_string(),
            webinar_id: id,
            title: webinar.title.to_string(),
            starts_at: webinar.starts_at,
            join_url: Some(webinar.join_url.clone()),
        };
        let outbox = fan_out(
            &audience,
            &format!("webinar_scheduled:{id}"),
            &notification,
            now,
        );
        if let Err(e) = self.webinars.insert_webinar(&webinar, &outbox).await {
            // Best effort: the storage error is what the caller must see.
            let _ = provider.delete(webinar.conference_id.clone()).await;
            return Err(e.into());
        }
        Ok(webinar)
    }

    /// Moves or renames a scheduled webinar: updates the conference at the
    /// provider (taking the links it returns) and stores the change with a
    /// message to the enrolled students. Only the course owner and admins may.
    pub async fn reschedule(
        &self,
        actor: &Actor,
        webinar_id: WebinarId,
        input: RescheduleInput,
    ) -> Result<Webinar, RescheduleWebinarError> {
        let (webinar, course) = self.managed(actor, webinar_id).await?;
        if webinar.state == WebinarState::Cancelled {
            return Err(RescheduleWebinarError::Cancelled);
        }
        if course.status == CourseStatus::Archived {
            return Err(RescheduleWebinarError::CourseArchived);
        }
        let now = self.clock.now();
        check_timing(input.starts_at, input.duration_minutes, now)?;
        let provider = self.providers.get(&webinar.provider).ok_or(
            RescheduleWebinarError::ProviderNotConfigured(webinar.provider),
        )?;

        let students = self.courses.enrolled_students(course.id).await?;
        let attendees = self.attendees(&course, &students).await?;
        let audience = self.audience(&course, &students).await?;
        let spec = ConferenceSpec {
            webinar_id: webinar.id,
            title: input.title.as_str().to_owned(),
            starts_at: input.starts_at,
            duration_minutes: input.duration_minutes,
            host_email: attendees.host_email,
            participant_emails: attendees.participant_emails,
            external_url: (webinar.provider == ProviderKind::ExternalLink)
                .then(|| webinar.join_url.clone()),
        };
        let conference = provider
            .update(webinar.conference_id.clone(), &spec)
            .await
            .map_err(|e| match e {
                ProviderError::Transient(msg) => RescheduleWebinarError::ProviderUnavailable(msg),
                ProviderError::Permanent(msg) => RescheduleWebinarError::ProviderRejected(msg),
                ProviderError::NotFound => RescheduleWebinarError::ConferenceMissing,
            })?;

        let updated = Webinar {
            title: input.title,
            starts_at: input.starts_at,
            duration_minutes: input.duration_minutes,
            conference_id: conference.conference_id.or(webinar.conference_id),
            join_url: conference.join_url,
            host_url: conference.host_url,
            ..webinar
        };
        let notification = Notification::WebinarChanged {
            course_id: course.id,
            webinar_id: updated.id,
            title: updated.title.to_string(),
            starts_at: Some(updated.starts_at),
            cancelled: false,
        };
        // Every reschedule is its own event (a rename at the same time, or a
        // move back to an earlier time, must notify again): a fresh change id.
        let event = format!(
            "webinar_changed:{}:{}",
            updated.id,
            uuid::Uuid::new_v4().simple()
        );
        let outbox = fan_out(&audience, &event, &notification, now);
        self.webinars
            .update_webinar(&updated, &outbox)
            .await
            .map_err(|e| match e {
                StorageError::NotFound => RescheduleWebinarError::NotFound,
                e => e.into(),
            })?;
        Ok(updated)
    }

    /// Cancels a webinar: deletes the conference at the provider (one that
    /// is already gone counts as deleted), marks the webinar cancelled and
    /// tells the enrolled students. Cancelling a cancelled webinar returns it
    /// unchanged. Only the course owner and admins may.
    pub async fn cancel(
        &self,
        actor: &Actor,
        webinar_id: WebinarId,
    ) -> Result<Webinar, CancelWebinarError> {
        let (webinar, course) = self.managed(actor, webinar_id).await?;
        if webinar.state == WebinarState::Cancelled {
            return Ok(webinar);
        }
        let provider = self
            .providers
            .get(&webinar.provider)
            .ok_or(CancelWebinarError::ProviderNotConfigured(webinar.provider))?;
        let students = self.courses.enrolled_students(course.id).await?;
        let audience = self.audience(&course, &students).await?;
        match provider.delete(webinar.conference_id.clone()).await {
            Ok(()) | Err(ProviderError::NotFound) => {}
            Err(ProviderError::Transient(msg)) => {
                return Err(CancelWebinarError::ProviderUnavailable(msg));
            }
            Err(ProviderError::Permanent(msg)) => {
                return Err(CancelWebinarError::ProviderRejected(msg));
            }
        }

        let now = self.clock.now();
        let cancelled = Webinar {
            state: WebinarState::Cancelled,
            ..webinar
        };
        let notification = Notification::WebinarChanged {
            course_id: course.id,
            webinar_id: cancelled.id,
            title: cancelled.title.to_string(),
            starts_at: None,
            cancelled: true,
        };
        let event = format!("webinar_cancelled:{}", cancelled.id);
        let outbox = fan_out(&audience, &event, &notification, now);
        self.webinars
            .update_webinar(&cancelled, &outbox)
            .await
            .map_err(|e| match e {
                StorageError::NotFound => CancelWebinarError::NotFound,
                e => e.into(),
            })?;
        Ok(cancelled)
    }
}
