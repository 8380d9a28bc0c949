# Builds one of the services from source and runs its fat jar. Used by docker-compose.yml with MODULE set to
# schema-registry, command-service, projection-service or query-service.
FROM maven:3.9-eclipse-temurin-17 AS build
ARG MODULE
WORKDIR /src
COPY . .
RUN mvn -q -B -DskipTests -pl ${MODULE} -am package

FROM eclipse-temurin:17-jre
ARG MODULE
WORKDIR /app
COPY --from=build /src/${MODULE}/target/${MODULE}-0.1.0-SNAPSHOT.jar /app/service.jar
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/service.jar"]
