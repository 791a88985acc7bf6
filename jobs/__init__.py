"""Background work: rq job functions that take ids, open their own database connection and
call workflows; the timer's schedule; the queue helpers the web side uses to enqueue."""
