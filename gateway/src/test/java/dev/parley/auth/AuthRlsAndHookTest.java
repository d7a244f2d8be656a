package dev.parley.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import dev.parley.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.parley.auth.AuthClient.assertError;
import static dev.parley.auth.AuthClient.obj;
import static dev.parley.auth.AuthClient.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A signed-up user's access token works with RLS (auth.uid() in policies), and a schema's
 * AFTER INSERT trigger on auth.users creates profiles from the sign-up data.
 */
@Timeout(60)
class AuthRlsAndHookTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final AuthClient auth = new AuthClient(gw);

    @BeforeAll
    static void start() {
        gw.sql("""
                create table public.notes (id serial primary key, owner uuid not null default auth.uid(), body text);
                alter table public.notes enable row level security;
                create policy own_notes on public.notes for all to authenticated
                  using (owner = auth.uid()) with check (owner = auth.uid());
                create table public.profiles (id uuid primary key references auth.users on delete cascade,
                  username text not null unique, email text);
                create function public.handle_new_user() returns trigger
                language plpgsql security definer set search_path = '' as $$
                begin
                  insert into public.profiles (id, username, email)
                  values (new.id, new.raw_user_meta_data ->> 'username', new.email);
                  return new;
                end $$;
                create trigger on_auth_user_created after insert on auth.users
                  for each row execute function public.handle_new_user();
                """);
    }

    List<String> notesAs(String accessToken) throws Exception {
        Caller caller = gw.gateway().context().authenticator().jwt().verify(accessToken);
        return gw.gateway().context().transactions().run(caller, true, c -> {
            List<String> out = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("select body from public.notes order by id")) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        });
    }

    void insertNoteAs(String accessToken, String body) throws Exception {
        Caller caller = gw.gateway().context().jwt().verify(accessToken);
        gw.gateway().context().transactions().run(caller, false, c -> {
            try (var st = c.prepareStatement("insert into public.notes (body) values (?)")) {
                st.setString(1, body);
                return st.executeUpdate();
            }
        });
    }

    @Test
    void aSignedUpUsersTokenSeesOnlyItsOwnRows() throws Exception {
        String alice = ok(auth.post("/signup", obj("email", "alice@rls.example.com", "password", "secret-pw",
                "data", Map.of("username", "alice")), gw.anonKey())).path("access_token").asText();
        String bob = ok(auth.post("/signup", obj("email", "bob@rls.example.com", "password", "secret-pw",
                "data", Map.of("username", "bob")), gw.anonKey())).path("access_token").asText();
        insertNoteAs(alice, "alice's note");
        insertNoteAs(bob, "bob's note");
        assertEquals(List.of("alice's note"), notesAs(alice));
        assertEquals(List.of("bob's note"), notesAs(bob));
        // After a refresh the new access token still speaks for the same user.
        JsonNode signedIn = ok(auth.signIn("alice@rls.example.com", "secret-pw"));
        String refreshed = ok(auth.refresh(signedIn.path("refresh_token").asText())).path("access_token").asText();
        assertEquals(List.of("alice's note"), notesAs(refreshed));
    }

    @Test
    void theProfileHookCreatesAProfileFromTheSignUpData() throws Exception {
        JsonNode s = ok(auth.post("/signup", obj("email", "Carol@Hook.example.com", "password", "secret-pw",
                "data", Map.of("username", "carol")), gw.anonKey()));
        try (Connection c = TestPostgres.connect(gw.database());
             var st = c.prepareStatement("select username, email from public.profiles where id = ?::uuid")) {
            st.setString(1, s.path("user").path("id").asText());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                assertEquals("carol", rs.getString(1));
                assertEquals("carol@hook.example.com", rs.getString(2));
            }
        }
    }

    @Test
    void aFailingHookRefusesTheSignUpAndLeavesNoUser() throws Exception {
        // No username: the profile's not-null constraint fails inside the sign-up transaction.
        var res = auth.post("/signup", obj("email", "dave@hook.example.com", "password", "secret-pw"), gw.anonKey());
        assertError(res, 500, "unexpected_failure", "Database error saving new user");
        try (Connection c = TestPostgres.connect(gw.database());
             ResultSet rs = c.createStatement().executeQuery(
                     "select count(*) from auth.users where email = 'dave@hook.example.com'")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        }
        assertFalse(auth.signIn("dave@hook.example.com", "secret-pw").statusCode() == 200);
    }
}
