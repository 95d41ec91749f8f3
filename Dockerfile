# One image for every role: docker run ... --roles api | machine | all
# Build:  docker build -t emp-job-queue .
# Run:    docker run -e REDIS_URL=redis://redis:6379 -e EMP_API_KEYS=... -p 8080:8080 emp-job-queue --roles api
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY core/pom.xml core/
COPY queue-verticle/pom.xml queue-verticle/
COPY gateway-verticle/pom.xml gateway-verticle/
COPY worker-verticle/pom.xml worker-verticle/
COPY machine-bootstrap-verticle/pom.xml machine-bootstrap-verticle/
COPY bench/pom.xml bench/
COPY app/pom.xml app/
# dependencies first, so source edits do not re-download them
RUN mvn -B -q -DskipTests dependency:go-offline -pl app -am || true
COPY . .
RUN mvn -B -q -DskipTests package -pl app -am

FROM eclipse-temurin:17-jre
RUN apt-get update -q && apt-get install -y -q --no-install-recommends git tar && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /app emp && mkdir -p /app/data /workspace && chown emp /app/data /workspace
WORKDIR /app
COPY --from=build /src/app/target/emp-job-queue-fat.jar /app/emp-job-queue.jar
COPY conf /app/conf
USER emp
ENV EMP_DATA_DIR=/app/data
# In a container the gateway listens on every interface; the machine health server too.
ENV EMP_HTTP_HOST=0.0.0.0
EXPOSE 8080 9090
ENTRYPOINT ["java", "-XX:+UseG1GC", "-XX:MaxRAMPercentage=75", "-jar", "/app/emp-job-queue.jar"]
CMD ["--roles", "api"]
