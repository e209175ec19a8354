# syntax=docker/dockerfile:1
# One image for every role; ECS task definitions differ only in arguments
# (serve, work --queue=optimization, work --queue=files, work --queue=capacity).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath \
      -ldflags "-s -w -X networx/cli.version=${VERSION}" \
      -o /out/networx .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/networx /usr/local/bin/networx
# Configuration and secrets come from the environment (ECS task secrets); nothing is baked in.
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["networx"]
CMD ["serve", "--addr", "0.0.0.0:8080"]
