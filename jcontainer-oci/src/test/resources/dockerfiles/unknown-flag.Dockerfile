FROM scratch
COPY --form=build /a /b
