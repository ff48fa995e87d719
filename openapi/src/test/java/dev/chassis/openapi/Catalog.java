package dev.chassis.openapi;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.chassis.core.Problem;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Delete;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Header;
import dev.chassis.core.http.Patch;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.Put;
import dev.chassis.core.http.QueryParam;
import dev.chassis.core.http.Response;
import dev.chassis.core.http.Status;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** A handler class with every case the document describes: each parameter kind, body and return shape. */
@Path("/books")
public final class Catalog {
    /** An enum Jackson writes by name. */
    public enum Genre { NOVEL, ESSAY, POETRY }

    /** A nested record. */
    public record Author(String name, LocalDate born) {
    }

    /** A record with primitives, Optional, lists, enums, java.time and a nested record. */
    public record Book(UUID id, String title, int pages, Optional<String> subtitle, List<String> tags, Genre genre,
                       Author author, Instant added, Duration readingTime, @JsonProperty("isbn13") String isbn,
                       Map<String, Integer> ratings) {
    }

    /** A request body with constraints. */
    public record NewBook(@NotBlank String title, @Min(1) int pages, Genre genre, Author author) {
    }

    /** A generic wrapper. */
    public record Page<T>(List<T> items, int total, Optional<String> next) {
    }

    static final Book SAMPLE = new Book(UUID.fromString("6a1f3c2e-0b7d-4e5f-9a8b-1c2d3e4f5a6b"), "Dune", 412,
            Optional.empty(), List.of("sf"), Genre.NOVEL, new Author("Frank Herbert", LocalDate.of(1920, 10, 8)),
            Instant.parse("2026-01-02T03:04:05Z"), Duration.ofHours(9), "9780441013593", Map.of("stars", 5));

    @Get
    @ApiOperation(summary = "List books", description = "Pages through the catalog.")
    public Page<Book> list(@QueryParam(defaultValue = "10") int limit, @QueryParam Optional<String> after,
                           @QueryParam List<Genre> genre, @Header(value = "X-Tenant", defaultValue = "main") String tenant) {
        return new Page<>(List.of(SAMPLE), 1, Optional.empty());
    }

    @Get("/{id}")
    public Optional<Book> find(@PathParam UUID id) {
        return id.equals(SAMPLE.id()) ? Optional.of(SAMPLE) : Optional.empty();
    }

    @Post
    @Status(201)
    @ApiOperation(problems = {409})
    public Book add(@Valid @Body NewBook book) {
        if (book.title().equals("Dune")) {
            throw Problem.builder(409).detail("a book with this title exists").build();
        }
        return SAMPLE;
    }

    @Put("/{id}")
    public Response<Book> replace(@PathParam UUID id, @Body NewBook book) {
        return Response.of(200, SAMPLE);
    }

    @Patch("/{id}/note")
    public void note(@PathParam UUID id, @Body Optional<String> note) {
    }

    @Delete("/{id}")
    public void remove(@PathParam UUID id, @QueryParam Optional<Instant> before) {
    }

    @Get("/{id}/tags")
    public List<String> tags(@PathParam UUID id) {
        return SAMPLE.tags();
    }

    @Get("/stats")
    public Map<String, Long> stats(@QueryParam(defaultValue = "false") boolean detailed) {
        return Map.of("books", 1L);
    }
}
