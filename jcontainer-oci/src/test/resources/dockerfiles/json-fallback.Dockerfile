# Reference: a JSON array that is not valid JSON (single quotes) is run in shell form.
FROM scratch
RUN ['echo', 'not json']
CMD [ "echo", "a" ]
ENTRYPOINT []
VOLUME [not json]
