# One image for every role: docker run ... --roles api | queue | machine | api,queue | all
# Build:  docker build -t emp-job-queue .
# Run:    docker run -e REDIS_URL=redis://redis:6379 -e EMP_API_KEYS=... -p 8080:8080 emp-job-queue --roles api
# Cluster (docs/deploy.md: a 3-node api + machine + machine example):
#         -e EMP_CLUSTER=1 -e EMP_CLUSTER_MEMBERS=emp-api,emp-machine-1,emp-machine-2 on every node
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY core/pom.xml core/
COPY queue-store/pom.xml queue-store/
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
# Clustered mode (EMP_CLUSTER=1): a fixed event-bus port, so it can be named in firewall rules.
# Hazelcast listens on 5701 (EMP_CLUSTER_PORT). Neither is used by an unclustered node.
ENV EMP_CLUSTER_BUS_PORT=5801
# 8080 HTTP API, 9090 machine health, 5701 Hazelcast members, 5801 event bus (keep the last two private)
EXPOSE 8080 9090 5701 5801
ENTRYPOINT ["java", "-XX:+UseG1GC", "-XX:MaxRAMPercentage=75", "-jar", "/app/emp-job-queue.jar"]
CMD ["--roles", "api"]
