-- db-scheduler's table in each service's schema, so a service only ever polls for its own jobs. Shipped by
-- platform-common as version 0.1 of every service's migrations; services number their own from V1.
CREATE TABLE ${flyway:defaultSchema}.scheduled_tasks (
    task_name            text                     NOT NULL,
    task_instance        text                     NOT NULL,
    task_data            bytea,
    execution_time       timestamp with time zone NOT NULL,
    picked               boolean                  NOT NULL,
    picked_by            text,
    last_success         timestamp with time zone,
    last_failure         timestamp with time zone,
    consecutive_failures integer,
    last_heartbeat       timestamp with time zone,
    version              bigint                   NOT NULL,
    priority             smallint,
    PRIMARY KEY (task_name, task_instance)
);

CREATE INDEX execution_time_idx ON ${flyway:defaultSchema}.scheduled_tasks (execution_time);
CREATE INDEX last_heartbeat_idx ON ${flyway:defaultSchema}.scheduled_tasks (last_heartbeat);
CREATE INDEX priority_execution_time_idx ON ${flyway:defaultSchema}.scheduled_tasks (priority DESC, execution_time ASC);
